using System.Net;
using System.Text.Json.Nodes;
using Azure.Security.KeyVault.Certificates;
using static Keyhub.Server.Tests.Certificates.CertificateKit;

namespace Keyhub.Server.Tests.Certificates;

/// <summary>Issuers (create, get, update, list, delete; reserved names) and the vault's certificate contacts.</summary>
[Collection(CertificatesServerCollection.Name)]
public sealed class CertificateIssuerContactTests(CertificatesServer fixture)
{
    private CertificateClient Admin => fixture.Admin;

    [Fact]
    public async Task An_issuer_is_created_read_updated_listed_and_deleted_and_its_password_never_comes_back()
    {
        var name = UniqueName("issuer");
        var issuer = new CertificateIssuer(name, "DigiCert") { AccountId = "account-1", Password = "issuer-Pa55word", Enabled = true };
        issuer.AdministratorContacts.Add(new AdministratorContact { FirstName = "Ada", LastName = "Lovelace", Email = "ada@payments.example", Phone = "555-0100" });

        var created = (await Admin.CreateIssuerAsync(issuer)).Value;
        Assert.Equal(name, created.Name);
        Assert.Equal("DigiCert", created.Provider);
        Assert.Equal("account-1", created.AccountId);
        Assert.Null(created.Password);
        Assert.Equal(new Uri(fixture.Server.VaultUri, $"/certificates/issuers/{name}"), created.Id);
        var admin = Assert.Single(created.AdministratorContacts);
        Assert.Equal(("Ada", "Lovelace", "ada@payments.example", "555-0100"), (admin.FirstName, admin.LastName, admin.Email, admin.Phone));
        Assert.NotNull(created.CreatedOn);

        var read = (await Admin.GetIssuerAsync(name)).Value;
        Assert.Equal("DigiCert", read.Provider);
        Assert.Equal("account-1", read.AccountId);
        Assert.Null(read.Password);
        var raw = (await fixture.Raw.SendAsync(HttpMethod.Get, $"/certificates/issuers/{name}")).Ok();
        Assert.False(raw.GetProperty("credentials").TryGetProperty("pwd", out _));
        Assert.DoesNotContain("issuer-Pa55word", raw.GetRawText(), StringComparison.Ordinal);

        var updated = (await Admin.UpdateIssuerAsync(new CertificateIssuer(name) { AccountId = "account-2", Enabled = false })).Value;
        Assert.Equal("account-2", updated.AccountId);
        Assert.Equal("DigiCert", updated.Provider);
        Assert.False(updated.Enabled);
        Assert.Single(updated.AdministratorContacts);
        Assert.Equal("account-2", (await Admin.GetIssuerAsync(name)).Value.AccountId);

        // Organisation details as the wire carries them (the .NET SDK writes its AccountId into org_details.id).
        var org = (await fixture.Raw.SendAsync(HttpMethod.Patch, $"/certificates/issuers/{name}", new JsonObject { ["org_details"] = new JsonObject { ["id"] = "org-7" } })).Ok();
        Assert.Equal("org-7", org.GetProperty("org_details").GetProperty("id").GetString());

        var listed = Assert.Single(await Admin.GetPropertiesOfIssuersAsync().ToListAsync(), i => i.Name == name);
        Assert.Equal("DigiCert", listed.Provider);

        var deleted = (await Admin.DeleteIssuerAsync(name)).Value;
        Assert.Equal(name, deleted.Name);
        await FailsWith(404, "CertificateIssuerNotFound", () => Admin.GetIssuerAsync(name));
        await FailsWith(404, "CertificateIssuerNotFound", () => Admin.DeleteIssuerAsync(name));
        Assert.DoesNotContain(name, (await Admin.GetPropertiesOfIssuersAsync().ToListAsync()).Select(i => i.Name));
    }

    [Theory]
    [InlineData("Self")]
    [InlineData("Unknown")]
    [InlineData("keyhub")]
    public async Task The_reserved_issuer_names_cannot_be_stored_and_do_not_read_as_issuers(string reserved)
    {
        await FailsWith(400, "BadParameter", () => Admin.CreateIssuerAsync(new CertificateIssuer(reserved, "DigiCert")));
        await FailsWith(404, "CertificateIssuerNotFound", () => Admin.GetIssuerAsync(reserved));
    }

    [Fact]
    public async Task An_issuer_without_provider_is_a_400()
    {
        (await fixture.Raw.SendAsync(HttpMethod.Put, $"/certificates/issuers/{UniqueName("no-provider")}", new JsonObject { ["credentials"] = new JsonObject { ["account_id"] = "a" } }))
            .Error(HttpStatusCode.BadRequest, "BadParameter");
    }

    [Fact]
    public async Task Contacts_are_set_read_and_deleted_and_reading_none_is_404_ContactsNotFound()
    {
        try
        {
            await Admin.DeleteContactsAsync();
        }
        catch (Azure.RequestFailedException e) when (e.Status == 404)
        {
        }
        await FailsWith(404, "ContactsNotFound", () => Admin.GetContactsAsync());

        var set = (await Admin.SetContactsAsync(
        [
            new CertificateContact { Email = "pki@payments.example", Name = "PKI team", Phone = "555-0101" },
            new CertificateContact { Email = "oncall@payments.example" },
        ])).Value;
        Assert.Equal(2, set.Count);

        var read = (await Admin.GetContactsAsync()).Value;
        Assert.Equal(["oncall@payments.example", "pki@payments.example"], read.Select(c => c.Email).Order(StringComparer.Ordinal));
        var pki = Assert.Single(read, c => c.Email == "pki@payments.example");
        Assert.Equal(("PKI team", "555-0101"), (pki.Name, pki.Phone));
        var raw = (await fixture.Raw.SendAsync(HttpMethod.Get, "/certificates/contacts")).Ok();
        Assert.Equal($"{fixture.Server.VaultUri.ToString().TrimEnd('/')}/certificates/contacts", raw.GetProperty("id").GetString());

        var replaced = (await Admin.SetContactsAsync([new CertificateContact { Email = "new@payments.example" }])).Value;
        Assert.Equal("new@payments.example", Assert.Single(replaced).Email);

        var deleted = (await Admin.DeleteContactsAsync()).Value;
        Assert.Equal("new@payments.example", Assert.Single(deleted).Email);
        await FailsWith(404, "ContactsNotFound", () => Admin.GetContactsAsync());
        await FailsWith(404, "ContactsNotFound", () => Admin.DeleteContactsAsync());
    }
}
