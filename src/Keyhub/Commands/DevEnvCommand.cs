using Keyhub.Server.Dev;

namespace Keyhub.Commands;

/// <summary>Prints only <c>export</c> lines so a shell can <c>eval</c> them.</summary>
internal static class DevEnvCommand
{
    public static int Run(Arguments args)
    {
        var data = Path.GetFullPath(args.Optional("data") ?? ".keyhub-dev");
        args.RejectUnknown();
        var credentials = DevCredentials.TryRead(data)
            ?? throw new InvalidOperationException($"No dev credentials in '{data}'. Start the server once with: keyhub server --dev --data {data}");
        var vault = credentials.Vaults.TryGetValue("hub", out var hub) ? hub : credentials.Vaults.Values.First();
        foreach (var (name, value) in new[]
        {
            ("AZURE_TENANT_ID", credentials.TenantId),
            ("AZURE_CLIENT_ID", credentials.ClientId),
            ("AZURE_CLIENT_SECRET", credentials.ClientSecret),
            ("AZURE_AUTHORITY_HOST", credentials.AuthorityHost),
            ("KEYHUB_VAULT_URL", vault),
            ("NODE_EXTRA_CA_CERTS", credentials.CaCertificate),
            ("SSL_CERT_FILE", credentials.CaCertificate),
        })
        {
            Console.WriteLine($"export {name}='{value.Replace("'", "'\\''", StringComparison.Ordinal)}'");
        }
        return 0;
    }
}
