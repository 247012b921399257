using System.Net;
using Azure.Core;
using Azure.Identity;
using Keyhub.Core.Authorization;
using Keyhub.Server.Tests.Infrastructure;

namespace Keyhub.Server.Tests.Credentials;

/// <summary>
/// Tests that set process-wide environment variables (managed identity, EnvironmentCredential): one
/// collection, never run in parallel with anything else; every variable is restored afterwards.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessEnvironmentCollection
{
    public const string Name = "process environment";
}

/// <summary>Sets environment variables and restores the previous values on dispose.</summary>
internal sealed class EnvironmentScope : IDisposable
{
    private static readonly string[] Managed =
    [
        "IDENTITY_ENDPOINT", "IDENTITY_HEADER", "MSI_ENDPOINT", "MSI_SECRET", "IDENTITY_SERVER_THUMBPRINT", "IMDS_ENDPOINT",
        "AZURE_POD_IDENTITY_AUTHORITY_HOST", "AZURE_TENANT_ID", "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET",
        "AZURE_CLIENT_CERTIFICATE_PATH", "AZURE_FEDERATED_TOKEN_FILE", "AZURE_AUTHORITY_HOST", "AZURE_TOKEN_CREDENTIALS",
    ];

    private readonly Dictionary<string, string?> _previous = [];

    /// <summary>Clears every identity-related variable, then sets <paramref name="values"/>.</summary>
    public EnvironmentScope(IReadOnlyDictionary<string, string> values)
    {
        foreach (var name in Managed.Concat(values.Keys).Distinct(StringComparer.Ordinal))
        {
            _previous[name] = Environment.GetEnvironmentVariable(name);
            Environment.SetEnvironmentVariable(name, values.TryGetValue(name, out var v) ? v : null);
        }
    }

    public void Dispose()
    {
        foreach (var (name, value) in _previous)
        {
            Environment.SetEnvironmentVariable(name, value);
        }
    }
}

/// <summary>
/// ManagedIdentityCredential (App Service 2019-08-01 source, over Keyhub's HTTPS) and DefaultAzureCredential
/// (EnvironmentCredential and managed identity) against Keyhub.
/// </summary>
[Collection(ProcessEnvironmentCollection.Name)]
public sealed class EnvironmentCredentialTests(SharedServer shared, Xunit.Abstractions.ITestOutputHelper output) : IClassFixture<SharedServer>
{
    private KeyhubTestServer Server => shared.Server;

    private string IdentityEndpoint => $"https://localhost:{Server.Port}/msi/token";

    private static Task<AccessToken> TokenAsync(TokenCredential credential) =>
        credential.GetTokenAsync(new TokenRequestContext([CredentialKit.VaultScope]), CancellationToken.None).AsTask();

    [Fact]
    public async Task ManagedIdentityCredential_over_https_identity_endpoint_reads_a_secret()
    {
        var value = await CredentialKit.SeedSecretAsync(Server, "mi-secret");
        var (clientId, _, _) = await Server.AddPrincipalAsync("mi-app", BuiltInRoles.SecretsUser);
        var header = await CredentialKit.AddWorkloadCredentialAsync(Server, clientId);

        using var env = new EnvironmentScope(new Dictionary<string, string> { ["IDENTITY_ENDPOINT"] = IdentityEndpoint, ["IDENTITY_HEADER"] = header });
        var credential = new ManagedIdentityCredential(new ManagedIdentityCredentialOptions(ManagedIdentityId.SystemAssigned)
        {
            Transport = TestTransport.Azure(Server.CaCertificate),
        });
        var secret = await CredentialKit.SecretClient(Server, credential).GetSecretAsync("mi-secret");
        Assert.Equal(value, secret.Value.Value);
    }

    [Fact]
    public async Task ManagedIdentityCredential_user_assigned_by_client_id_reads_a_secret()
    {
        var value = await CredentialKit.SeedSecretAsync(Server, "mi-ua-secret");
        var (clientId, _, _) = await Server.AddPrincipalAsync("mi-ua-app", BuiltInRoles.SecretsUser);
        var header = await CredentialKit.AddWorkloadCredentialAsync(Server, clientId);

        using var env = new EnvironmentScope(new Dictionary<string, string> { ["IDENTITY_ENDPOINT"] = IdentityEndpoint, ["IDENTITY_HEADER"] = header });
        var credential = new ManagedIdentityCredential(new ManagedIdentityCredentialOptions(ManagedIdentityId.FromUserAssignedClientId(clientId))
        {
            Transport = TestTransport.Azure(Server.CaCertificate),
        });
        var secret = await CredentialKit.SecretClient(Server, credential).GetSecretAsync("mi-ua-secret");
        Assert.Equal(value, secret.Value.Value);
    }

    [Fact]
    public async Task Wrong_identity_header_is_refused()
    {
        var (clientId, clientSecret, _) = await Server.AddPrincipalAsync("mi-wrong-header", BuiltInRoles.SecretsUser);
        var header = await CredentialKit.AddWorkloadCredentialAsync(Server, clientId);

        // Raw: a tampered header, a missing header, a client secret, and a client secret in the kh1 shape.
        var tampered = header[..^2] + (header[^2..] == "AA" ? "BB" : "AA");
        foreach (var wrong in new[] { tampered, clientSecret, $"kh1.{clientId}.{clientSecret}", "kh1.x.y" })
        {
            var (status, body) = await CredentialKit.ManagedIdentityTokenAsync(Server, wrong);
            CredentialKit.AssertInvalidClient(status, body);
        }
        var (missing, missingBody) = await CredentialKit.ManagedIdentityTokenAsync(Server, null);
        CredentialKit.AssertInvalidClient(missing, missingBody);

        // The right header works (control).
        var (ok, okBody) = await CredentialKit.ManagedIdentityTokenAsync(Server, header);
        Assert.True(ok == HttpStatusCode.OK, okBody.ToJsonString());
        Assert.Equal(clientId, okBody["client_id"]!.GetValue<string>());
    }

    [Fact]
    public async Task ManagedIdentityCredential_with_a_client_secret_as_identity_header_fails()
    {
        var (clientId, clientSecret, _) = await Server.AddPrincipalAsync("mi-secret-as-header", BuiltInRoles.SecretsUser);
        using var env = new EnvironmentScope(new Dictionary<string, string> { ["IDENTITY_ENDPOINT"] = IdentityEndpoint, ["IDENTITY_HEADER"] = clientSecret });
        var credential = new ManagedIdentityCredential(new ManagedIdentityCredentialOptions(ManagedIdentityId.FromUserAssignedClientId(clientId))
        {
            Transport = TestTransport.Azure(Server.CaCertificate),
        });
        var error = await Assert.ThrowsAnyAsync<AuthenticationFailedException>(() => TokenAsync(credential));
        output.WriteLine($"{error.GetType().FullName}: {error.Message}");
        Assert.Contains("X-IDENTITY-HEADER is not a valid workload credential", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task DefaultAzureCredential_with_EnvironmentCredential_variables_reads_a_secret()
    {
        var value = await CredentialKit.SeedSecretAsync(Server, "dac-env-secret");
        var (clientId, clientSecret, _) = await Server.AddPrincipalAsync("dac-env-app", BuiltInRoles.SecretsUser);

        using var env = new EnvironmentScope(new Dictionary<string, string>
        {
            ["AZURE_TENANT_ID"] = Server.Credentials.TenantId,
            ["AZURE_CLIENT_ID"] = clientId,
            ["AZURE_CLIENT_SECRET"] = clientSecret,
        });
        var credential = new DefaultAzureCredential(new DefaultAzureCredentialOptions
        {
            AuthorityHost = Server.AuthorityHost,
            DisableInstanceDiscovery = true,
            Transport = TestTransport.Azure(Server.CaCertificate),
            ExcludeManagedIdentityCredential = true,
            ExcludeWorkloadIdentityCredential = true,
            ExcludeAzureCliCredential = true,
            ExcludeAzureDeveloperCliCredential = true,
            ExcludeAzurePowerShellCredential = true,
            ExcludeVisualStudioCredential = true,
            ExcludeVisualStudioCodeCredential = true,
            ExcludeInteractiveBrowserCredential = true,
            ExcludeBrokerCredential = true,
        });
        var secret = await CredentialKit.SecretClient(Server, credential).GetSecretAsync("dac-env-secret");
        Assert.Equal(value, secret.Value.Value);
    }

    [Fact]
    public async Task DefaultAzureCredential_with_managed_identity_variables_reads_a_secret()
    {
        var value = await CredentialKit.SeedSecretAsync(Server, "dac-mi-secret");
        var (clientId, _, _) = await Server.AddPrincipalAsync("dac-mi-app", BuiltInRoles.SecretsUser);
        var header = await CredentialKit.AddWorkloadCredentialAsync(Server, clientId);

        using var env = new EnvironmentScope(new Dictionary<string, string> { ["IDENTITY_ENDPOINT"] = IdentityEndpoint, ["IDENTITY_HEADER"] = header });
        var credential = new DefaultAzureCredential(new DefaultAzureCredentialOptions
        {
            AuthorityHost = Server.AuthorityHost,
            DisableInstanceDiscovery = true,
            Transport = TestTransport.Azure(Server.CaCertificate),
            ExcludeEnvironmentCredential = true,
            ExcludeWorkloadIdentityCredential = true,
            ExcludeAzureCliCredential = true,
            ExcludeAzureDeveloperCliCredential = true,
            ExcludeAzurePowerShellCredential = true,
            ExcludeVisualStudioCredential = true,
            ExcludeVisualStudioCodeCredential = true,
            ExcludeInteractiveBrowserCredential = true,
            ExcludeBrokerCredential = true,
        });
        var secret = await CredentialKit.SecretClient(Server, credential).GetSecretAsync("dac-mi-secret");
        Assert.Equal(value, secret.Value.Value);
    }
}
