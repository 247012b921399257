using System.Text;
using System.Text.Json;
using Keyhub.Core.Authorization;
using Keyhub.Core.IO;
using Keyhub.Core.Seal;
using Keyhub.Core.Vaults;
using Keyhub.Server.Dev;
using Keyhub.Server.Hosting;
using Keyhub.Server.Hsm;
using Keyhub.Pkcs11;
using System.Security.Cryptography;

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
        var hsmLibrary = args.Optional("hsm-library");
        var hsmToken = args.Optional("hsm-token");
        var hsmKeyLabel = args.Optional("hsm-key-label") ?? "keyhub-root-wrap";
        var pinVariable = args.Optional("hsm-pin-env") ?? "KEYHUB_HSM_PIN";
        var recoveryShares = args.OptionalInt("recovery-shares") ?? 5;
        var recoveryThreshold = args.OptionalInt("recovery-threshold") ?? 3;
        args.RejectUnknown();
        if ((shares is null) != (threshold is null) || shares is < 2 or > 255 || threshold < 2 || threshold > shares)
        {
            throw new CommandLineException("--shares and --threshold go together: 2 <= threshold <= shares <= 255");
        }
        if ((hsmLibrary is null) != (hsmToken is null))
        {
            throw new CommandLineException("--hsm-library and --hsm-token go together");
        }
        if (hsmLibrary is not null && shares is not null)
        {
            throw new CommandLineException("choose one seal: Shamir shares (--shares) or an HSM (--hsm-library); an HSM deployment gets recovery shares (--recovery-shares)");
        }
        CheckShares(recoveryShares, recoveryThreshold, "--recovery-shares and --recovery-threshold");
        if (File.Exists(KeyhubRuntime.DatabasePath(data)))
        {
            throw new CommandLineException($"'{data}' already holds a deployment");
        }
        using var directoryLock = DataDirectoryLock.Acquire(data);
        var tls = DevCertificates.Ensure(data, [], TimeProvider.System);
        byte[][] printedShares = [];
        string sealNote = "";
        SealSetup? setup = null;
        Pkcs11Token? token = null;
        byte[]? rootKey = null;
        try
        {
            if (shares is { } n)
            {
                var (shamir, unsealShares) = ShamirSeal.Create(n, threshold!.Value);
                setup = new SealSetup(shamir, new SealSettings(SealSettings.ShamirKind, shamir.Config));
                printedShares = unsealShares;
                sealNote = $"""
                    Sealed with Shamir shares: {threshold} of {shares} unseal the deployment after every start
                    (keyhub operator unseal --profile {profilePath}). Give each share to a different operator.
                    """;
            }
            else if (hsmLibrary is not null)
            {
                token = OpenToken(hsmLibrary, hsmToken!, pinVariable);
                var hsm = Pkcs11Seal.CreateKey(token, hsmLibrary, hsmToken!, hsmKeyLabel);
                rootKey = RandomNumberGenerator.GetBytes(32);
                var (recovery, recoverySplit) = ShamirSeal.SplitRootKey(rootKey, recoveryShares, recoveryThreshold);
                setup = new SealSetup(new Pkcs11Seal(token, hsm), new SealSettings(SealSettings.HsmKind, recovery, hsm), rootKey);
                printedShares = recoverySplit;
                sealNote = $"""
                    Sealed by the HSM: token '{hsmToken}', key '{hsmKeyLabel}' (id {Convert.ToHexString(hsm.KeyId)}), never extractable.
                    Every start unseals itself with the HSM (PIN from {pinVariable}). If the HSM or its key is lost,
                    {recoveryThreshold} of these {recoveryShares} recovery shares unseal the deployment (keyhub operator unseal) and
                    authorise `keyhub operator rekey`. They are the root key in pieces: keep them offline, one per person.
                    """;
            }
            await using var runtime = await KeyhubRuntime.OpenAsync(data, tenantId, TimeProvider.System, setup, CancellationToken.None);
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
            if (printedShares.Length > 0)
            {
                // Printed once, here only: Keyhub keeps a check value per share, never the shares themselves.
                Console.WriteLine();
                Console.WriteLine(sealNote);
                PrintShares(printedShares);
            }
            return 0;
        }
        finally
        {
            foreach (var share in printedShares)
            {
                CryptographicOperations.ZeroMemory(share);
            }
            if (rootKey is not null)
            {
                CryptographicOperations.ZeroMemory(rootKey);
            }
            (setup?.Seal as IDisposable)?.Dispose();
            token?.Dispose();
        }
    }

    /// <summary>
    /// <c>keyhub operator rekey</c>, offline on a stopped deployment: a threshold of the current shares (unseal shares,
    /// or an HSM deployment's recovery shares) opens it; a new root key replaces the old, and only the keyring is
    /// re-encrypted. Shamir: new unseal shares. HSM: the root key is wrapped by the HSM again (a new wrapping key if
    /// the old one is gone, or on another token with --hsm-token) and new recovery shares are printed. The old shares
    /// stop working.
    /// </summary>
    public static async Task<int> RekeyAsync(Arguments args)
    {
        var data = Path.GetFullPath(args.Required("data"));
        var shares = args.OptionalInt("shares");
        var threshold = args.OptionalInt("threshold");
        var given = args.Many("share") ?? [];
        var hsmLibrary = args.Optional("hsm-library");
        var hsmToken = args.Optional("hsm-token");
        var pinVariable = args.Optional("hsm-pin-env") ?? "KEYHUB_HSM_PIN";
        args.RejectUnknown();
        using var directoryLock = DataDirectoryLock.Acquire(data);
        var settings = await KeyhubRuntime.ReadSealSettingsAsync(data, CancellationToken.None)
            ?? throw new CommandLineException($"'{data}' is not a deployment sealed with Shamir shares or an HSM");
        shares ??= settings.Shares.Shares;
        threshold ??= settings.Shares.Threshold;
        CheckShares(shares.Value, threshold.Value, "--shares and --threshold");
        var hsmDeployment = settings.Kind == SealSettings.HsmKind;
        using var current = hsmDeployment ? ShamirSeal.ForRecovery(settings.Shares) : new ShamirSeal(settings.Shares);
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
            var kind = hsmDeployment ? "recovery" : "current";
            throw new CommandLineException($"rekey needs {settings.Shares.Threshold} of the {kind} shares (--share, repeated); {current.Progress.Received} given");
        }
        byte[][] newShares;
        await using (var runtime = await KeyhubRuntime.OpenAsync(data, null, TimeProvider.System, new SealSetup(current), CancellationToken.None))
        {
            if (!hsmDeployment)
            {
                var (next, split) = ShamirSeal.Create(shares.Value, threshold.Value);
                using (next)
                {
                    await runtime.Seal.RekeyAsync(next, new SealSettings(SealSettings.ShamirKind, next.Config), CancellationToken.None);
                }
                newShares = split;
            }
            else
            {
                var recorded = settings.Hsm!;
                var library = hsmLibrary ?? recorded.Library;
                var tokenLabel = hsmToken ?? recorded.TokenLabel;
                using var token = OpenToken(library, tokenLabel, pinVariable);
                var hsm = tokenLabel == recorded.TokenLabel && token.Exists(recorded.KeyId)
                    ? recorded with { Library = library }
                    : Pkcs11Seal.CreateKey(token, library, tokenLabel, recorded.KeyLabel);
                var rootKey = RandomNumberGenerator.GetBytes(32);
                try
                {
                    var (recovery, split) = ShamirSeal.SplitRootKey(rootKey, shares.Value, threshold.Value);
                    await runtime.Seal.RekeyAsync(new Pkcs11Seal(token, hsm), new SealSettings(SealSettings.HsmKind, recovery, hsm), CancellationToken.None, rootKey);
                    newShares = split;
                }
                finally
                {
                    CryptographicOperations.ZeroMemory(rootKey);
                }
                Console.WriteLine($"The root key is wrapped by HSM key '{hsm.KeyLabel}' (id {Convert.ToHexString(hsm.KeyId)}) on token '{hsm.TokenLabel}'.");
            }
        }
        var what = hsmDeployment ? "recovery" : "unseal";
        Console.WriteLine($"Rekeyed {data}: a new root key; {threshold} of these {shares} new {what} shares open it from now on (the old ones no longer do).");
        PrintShares(newShares);
        foreach (var share in newShares)
        {
            CryptographicOperations.ZeroMemory(share);
        }
        return 0;
    }

    private static Pkcs11Token OpenToken(string library, string tokenLabel, string pinVariable)
    {
        // The PIN is looked for where the server looks (Keyhub:Hsm:Pin, then the named variable).
        var hsm = ServerCommand.LoadOptions(null).Hsm with { PinVariable = pinVariable };
        try
        {
            return Pkcs11Token.Open(new Pkcs11Options(library, tokenLabel, hsm.ResolvePin()));
        }
        catch (Exception ex) when (ex is Pkcs11Exception or DllNotFoundException or InvalidOperationException)
        {
            throw new CommandLineException($"the HSM could not be opened: {ex.Message}");
        }
    }

    private static void CheckShares(int shares, int threshold, string what)
    {
        if (shares is < 2 or > 255 || threshold < 2 || threshold > shares)
        {
            throw new CommandLineException($"{what}: 2 <= threshold <= shares <= 255");
        }
    }

    private static void PrintShares(byte[][] shares)
    {
        for (var i = 0; i < shares.Length; i++)
        {
            Console.WriteLine($"  share {i + 1}: {System.Buffers.Text.Base64Url.EncodeToString(shares[i])}");
        }
    }
}
