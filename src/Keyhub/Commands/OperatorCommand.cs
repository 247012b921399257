using System.Text;
using System.Text.Json;
using Keyhub.Core.Authorization;
using Keyhub.Core.IO;
using Keyhub.Core.Seal;
using Keyhub.Core.Vaults;
using Keyhub.Server.Dev;
using Keyhub.Server.Hosting;

namespace Keyhub.Commands;

/// <summary>
/// <c>keyhub operator init</c>: creates a deployment offline — root key (key-file seal for now), the hub
/// vault on the server's port, a local CA and server certificate, and the SecOps Owner principal whose
/// credentials go to a profile file (mode 0600) for the command line.
/// </summary>
internal static class OperatorCommand
{
    public static async Task<int> InitAsync(Arguments args)
    {
        var data = Path.GetFullPath(args.Required("data"));
        var port = args.OptionalInt("port") ?? 8443;
        var profilePath = Path.GetFullPath(args.Optional("profile-out") ?? Path.Combine(data, "operator-profile.json"));
        var tenantId = args.Optional("tenant-id");
        var shares = args.OptionalInt("shares");
        var threshold = args.OptionalInt("threshold");
        args.RejectUnknown();
        if ((shares is null) != (threshold is null) || shares is < 2 or > 255 || threshold < 2 || threshold > shares)
        {
            throw new CommandLineException("--shares and --threshold go together: 2 <= threshold <= shares <= 255");
        }
        if (File.Exists(KeyhubRuntime.DatabasePath(data)))
        {
            throw new CommandLineException($"'{data}' already holds a deployment");
        }
        using var directoryLock = DataDirectoryLock.Acquire(data);
        var tls = DevCertificates.Ensure(data, [], TimeProvider.System);
        var (shamir, unsealShares) = shares is { } n ? ShamirSeal.Create(n, threshold!.Value) : ((ShamirSeal?)null, (byte[][]?)null);
        await using var runtime = await KeyhubRuntime.OpenAsync(data, tenantId, TimeProvider.System, shamir, CancellationToken.None);
        await runtime.Vaults.CreateAsync(new VaultProperties { Name = "hub", Port = port }, CancellationToken.None);
        var (owner, secret) = await runtime.Principals.AddAsync("SecOps owner", CancellationToken.None);
        await runtime.RoleAssignments.AddAsync(owner.ObjectId, BuiltInRoles.Owner.Id, Scopes.Root, CancellationToken.None);
        var profile = new Profile
        {
            TenantId = runtime.Deployment.TenantId,
            AuthorityHost = $"https://localhost:{port}",
            ClientId = owner.ClientId,
            ClientSecret = secret,
            CaCertificate = tls.CaCertificate,
            Vaults = new Dictionary<string, string> { ["hub"] = $"https://localhost:{port}" },
        };
        PrivateFile.WriteAtomically(profilePath, JsonSerializer.SerializeToUtf8Bytes(profile, new JsonSerializerOptions { WriteIndented = true }), ownerOnly: true);
        Console.WriteLine($"""
            Deployment created in {data}
              tenant:  {profile.TenantId}
              hub:     {profile.Vaults["hub"]}
              owner:   SecOps owner (object id {owner.ObjectId}) — Owner of the deployment, no data access
              profile: {profilePath} (mode 0600; holds the owner's client secret)
            Start it with: keyhub server --data {data} --port {port}
            """);
        if (unsealShares is not null)
        {
            // Printed once, here only: Keyhub keeps a check value per share, never the shares themselves.
            Console.WriteLine($"""

                Sealed with Shamir shares: {threshold} of {shares} unseal the deployment after every start
                (keyhub operator unseal --profile {profilePath}). Give each share to a different operator.
                """);
            for (var i = 0; i < unsealShares.Length; i++)
            {
                Console.WriteLine($"  share {i + 1}: {System.Buffers.Text.Base64Url.EncodeToString(unsealShares[i])}");
                System.Security.Cryptography.CryptographicOperations.ZeroMemory(unsealShares[i]);
            }
        }
        shamir?.Dispose();
        return 0;
    }

    /// <summary>
    /// <c>keyhub operator rekey</c>, offline on a stopped deployment sealed with shares: a threshold of the current
    /// shares opens it; a new root key is wrapped by a new unseal key whose shares are printed once. The old
    /// shares stop working.
    /// </summary>
    public static async Task<int> RekeyAsync(Arguments args)
    {
        var data = Path.GetFullPath(args.Required("data"));
        var shares = args.OptionalInt("shares") ?? throw new CommandLineException("operator rekey needs --shares N --threshold K for the new shares");
        var threshold = args.OptionalInt("threshold") ?? throw new CommandLineException("operator rekey needs --shares N --threshold K for the new shares");
        var given = args.Many("share") ?? [];
        args.RejectUnknown();
        if (shares is < 2 or > 255 || threshold < 2 || threshold > shares)
        {
            throw new CommandLineException("2 <= threshold <= shares <= 255");
        }
        using var directoryLock = DataDirectoryLock.Acquire(data);
        var config = await KeyhubRuntime.ReadShamirConfigAsync(data, CancellationToken.None)
            ?? throw new CommandLineException($"'{data}' is not a deployment sealed with Shamir shares");
        using var current = new ShamirSeal(config);
        foreach (var (share, index) in given.Select((s, i) => (s, i + 1)))
        {
            try
            {
                current.Submit(System.Buffers.Text.Base64Url.DecodeFromChars(share.Trim().TrimEnd('=')));
            }
            catch (Exception ex) when (ex is ArgumentException or FormatException)
            {
                throw new CommandLineException($"share {index} was refused: {ex.Message}");
            }
        }
        if (!current.Progress.Complete)
        {
            throw new CommandLineException($"rekey needs {config.Threshold} of the current shares (--share, repeated); {current.Progress.Received} given");
        }
        var (next, newShares) = ShamirSeal.Create(shares, threshold);
        using (next)
        {
            await using var runtime = await KeyhubRuntime.OpenAsync(data, null, TimeProvider.System, current, CancellationToken.None);
            await runtime.Seal.RekeyAsync(next, CancellationToken.None);
        }
        Console.WriteLine($"Rekeyed {data}: a new root key; {threshold} of these {shares} new shares unseal it from now on (the old ones no longer do).");
        for (var i = 0; i < newShares.Length; i++)
        {
            Console.WriteLine($"  share {i + 1}: {System.Buffers.Text.Base64Url.EncodeToString(newShares[i])}");
            System.Security.Cryptography.CryptographicOperations.ZeroMemory(newShares[i]);
        }
        return 0;
    }
}
