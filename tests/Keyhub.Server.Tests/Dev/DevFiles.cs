using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Azure.Identity;
using Azure.Security.KeyVault.Secrets;
using Keyhub.Server.Tests.Infrastructure;

namespace Keyhub.Server.Tests.Dev;

/// <summary>
/// <c>&lt;data&gt;/dev/credentials.json</c> and <c>ca.pem</c> as a client reads them, checked against design.md §7
/// on the way in: exactly the documented fields, no trailing slashes, an absolute CA path, mode 0600.
/// </summary>
internal sealed class DevFiles
{
    private DevFiles(string tenantId, string clientId, string clientSecret, string caCertificatePath, Uri vaultUri, Uri authorityHost)
    {
        TenantId = tenantId;
        ClientId = clientId;
        ClientSecret = clientSecret;
        CaCertificatePath = caCertificatePath;
        VaultUri = vaultUri;
        AuthorityHost = authorityHost;
        CaCertificate = X509Certificate2.CreateFromPem(File.ReadAllText(caCertificatePath));
    }

    public string TenantId { get; }
    public string ClientId { get; }
    public string ClientSecret { get; }
    public string CaCertificatePath { get; }
    public X509Certificate2 CaCertificate { get; }
    public Uri VaultUri { get; }
    public Uri AuthorityHost { get; }

    public static string CredentialsPath(string data) => Path.Combine(data, "dev", "credentials.json");

    public static DevFiles Read(string data, int port)
    {
        var path = CredentialsPath(data);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }
        using var document = JsonDocument.Parse(File.ReadAllBytes(path));
        var root = document.RootElement;
        Assert.Equal(
            ["authorityHost", "caCertificate", "clientId", "clientSecret", "tenantId", "vaults"],
            root.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        var origin = $"https://localhost:{port}";
        Assert.Equal(origin, root.GetProperty("authorityHost").GetString());
        var vaults = root.GetProperty("vaults").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString());
        Assert.Equal(new Dictionary<string, string?> { ["hub"] = origin }, vaults);
        var tenantId = root.GetProperty("tenantId").GetString()!;
        var clientId = root.GetProperty("clientId").GetString()!;
        Assert.True(Guid.TryParse(tenantId, out _), $"tenantId {tenantId} is not a GUID.");
        Assert.True(Guid.TryParse(clientId, out _), $"clientId {clientId} is not a GUID.");
        var clientSecret = root.GetProperty("clientSecret").GetString()!;
        Assert.True(clientSecret.Length >= 32, "The client secret is too short to hold 256 random bits.");
        var ca = root.GetProperty("caCertificate").GetString()!;
        Assert.True(Path.IsPathFullyQualified(ca), $"caCertificate {ca} is not absolute.");
        Assert.Equal(Path.GetFullPath(Path.Combine(data, "dev", "ca.pem")), ca);
        return new DevFiles(tenantId, clientId, clientSecret, ca, new Uri(origin), new Uri(origin));
    }

    public SecretClient SecretClient(string? clientId = null, string? clientSecret = null)
    {
        var credential = new ClientSecretCredential(TenantId, clientId ?? ClientId, clientSecret ?? ClientSecret, new ClientSecretCredentialOptions
        {
            AuthorityHost = AuthorityHost,
            DisableInstanceDiscovery = true,
            Transport = TestTransport.Azure(CaCertificate),
        });
        var options = new SecretClientOptions
        {
            DisableChallengeResourceVerification = true,
            Transport = TestTransport.Azure(CaCertificate),
        };
        options.Retry.MaxRetries = 0;
        return new SecretClient(VaultUri, credential, options);
    }
}
