using System.Buffers.Text;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Azure.Core;
using Azure.Security.KeyVault.Secrets;
using Keyhub.Core.Authorization;
using Keyhub.Server.Tests.Infrastructure;

namespace Keyhub.Server.Tests.Security;

/// <summary>
/// Audit leaks (security.md): a whole flow — token issuance, refused credentials, set, get, list,
/// update, backup, delete, purge, restore, refused and malformed requests — leaves no secret value,
/// client secret, access token or backup blob in any log line the server writes (all levels, all
/// categories, structured fields and exceptions included).
/// </summary>
[Collection(SecurityServerCollection.Name)]
public sealed class LogHygieneTests(SecurityServer fixture)
{
    [Fact]
    public async Task No_secret_value_client_secret_or_token_appears_in_any_log_line()
    {
        var server = fixture.Server;
        var sensitive = new List<(string Label, string Value)>
        {
            ("dev administrator client secret", server.Credentials.ClientSecret),
        };
        var logged = server.Logs.Lines.Count;

        var (appId, appSecret, _) = await server.AddPrincipalAsync("log-app", BuiltInRoles.SecretsOfficer);
        sensitive.Add(("app client secret", appSecret));
        var credential = server.Credential(appId, appSecret);
        var client = new SecretClient(server.VaultUri, credential, server.SecretOptions());

        var name = $"log-flow-{StoreFiles.Distinctive(6)}";
        var first = $"log-value-{StoreFiles.Distinctive(40)}";
        var second = $"lög-välue-{StoreFiles.Distinctive(40)}";
        sensitive.Add(("first value", first));
        sensitive.Add(("second value", second));
        var set = await client.SetSecretAsync(new KeyVaultSecret(name, first) { Properties = { ContentType = "text/plain" } });
        await client.SetSecretAsync(name, second);
        Assert.Equal(second, (await client.GetSecretAsync(name)).Value.Value);
        Assert.Equal(first, (await client.GetSecretAsync(name, set.Value.Properties.Version)).Value.Value);
        await foreach (var _ in client.GetPropertiesOfSecretsAsync())
        {
        }
        set.Value.Properties.Tags["owner"] = "log-test";
        await client.UpdateSecretPropertiesAsync(set.Value.Properties);
        var backup = (await client.BackupSecretAsync(name)).Value;
        sensitive.Add(("backup blob", Base64Url.EncodeToString(backup)[..64]));
        var deletion = await client.StartDeleteSecretAsync(name);
        await deletion.WaitForCompletionAsync();
        await client.PurgeDeletedSecretAsync(name);
        await client.RestoreSecretBackupAsync(backup);
        Assert.Equal(second, (await client.GetSecretAsync(name)).Value.Value);

        var sdkToken = await credential.GetTokenAsync(new TokenRequestContext([TokenRequests.VaultScope]), CancellationToken.None);
        AddToken(sensitive, "SDK access token", sdkToken.Token);
        var rawToken = await TokenRequests.AccessTokenAsync(server, appId, appSecret);
        AddToken(sensitive, "raw access token", rawToken);

        var wrongSecret = $"wrong-secret-{StoreFiles.Distinctive(32)}";
        sensitive.Add(("refused client secret", wrongSecret));
        using (var refused = await TokenRequests.PostAsync(server, appId, wrongSecret))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        using var http = server.HttpClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", rawToken);
        var malformed = $"malformed-{StoreFiles.Distinctive(40)}";
        var oversized = $"oversized-{StoreFiles.Distinctive(40)}" + new string('x', 26_000);
        sensitive.Add(("value in malformed JSON", malformed));
        sensitive.Add(("oversized value", oversized[..50]));
        foreach (var body in new[] { $"{{\"value\":\"{malformed}\",", $"{{\"value\":\"{oversized}\"}}" })
        {
            using var content = new StringContent(body, Encoding.UTF8, "application/json");
            using var response = await http.PutAsync(new Uri($"/secrets/{name}?api-version=7.6", UriKind.Relative), content);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        }
        var forged = rawToken[..rawToken.LastIndexOf('.')] + "." + Base64Url.EncodeToString(Encoding.ASCII.GetBytes(StoreFiles.Distinctive(64)));
        AddToken(sensitive, "forged token", forged);
        using (var forgedRequest = new HttpRequestMessage(HttpMethod.Get, new Uri($"/secrets/{name}?api-version=7.6", UriKind.Relative)))
        {
            forgedRequest.Headers.Authorization = new AuthenticationHeaderValue("Bearer", forged);
            using var response = await http.SendAsync(forgedRequest);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }

        var lines = server.Logs.Lines.Skip(logged).ToList();
        // The control: the flow was logged, so an empty capture cannot pass for a clean one.
        Assert.Contains(lines, l => l.Contains($"PUT /secrets/{name}", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("Token issued", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("Token request refused", StringComparison.Ordinal));
        var leaks = (from line in lines
                     from secret in sensitive
                     from form in Needles.Text(secret.Value)
                     where line.Contains(form.Text, StringComparison.Ordinal)
                     select $"{secret.Label} as {form.Form}: {line}").ToList();
        Assert.True(leaks.Count == 0, "Logged: " + string.Join(Environment.NewLine, leaks.Take(5)));
    }

    /// <summary>A token leaks if the whole of it, its payload or its signature is logged.</summary>
    private static void AddToken(List<(string Label, string Value)> sensitive, string label, string token)
    {
        var parts = token.Split('.');
        sensitive.Add((label, token));
        sensitive.Add((label + " payload", parts[1]));
        sensitive.Add((label + " signature", parts[2]));
    }
}
