using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;
using Keyhub.Core.Certificates;
using Keyhub.Core.Keys;
using Keyhub.Core.Seal;
using Keyhub.Core.Storage;
using Keyhub.Core.Vaults;
using E = Keyhub.Core.Errors.Errors;
using R = Keyhub.Core.Ca.WorkloadCaRecords;

namespace Keyhub.Core.Ca;

/// <summary>
/// The deployment's workload CA, behind the <c>Keyhub</c> issuer name: a root whose key never leaves the
/// barrier and an issuing intermediate that can be rotated. It is not the CA of Keyhub's own TLS
/// certificate, so trusting Keyhub does not mean trusting workload certificates. It issues only names on
/// the requesting vault's allow-list (<see cref="CertificateNameRules"/>); callers get certificates,
/// never the keys.
/// </summary>
/// <remarks>
/// After a rotation the previous intermediate's key is deleted: certificates it issued still chain (their
/// chain, returned at issuance, names it, and it stays valid under the root), but the CRL is signed by the
/// current intermediate only. It lists every revoked serial, whichever intermediate issued it, yet a
/// relying party that insists that a CRL's issuer be the certificate's issuer (RFC 5280 §6.3.3) will not
/// apply it to the previous intermediate's certificates — re-issue those whose revocation must be checked.
/// </remarks>
public sealed partial class WorkloadCa(IRecordStore store, SealManager seal, TimeProvider time, IHsmKeys? hsm = null)
{
    /// <summary>An intermediate this close to its end is replaced before it issues again, so leaves are not cut short.</summary>
    internal static readonly TimeSpan RenewIntermediateBefore = TimeSpan.FromDays(90);

    /// <summary>Creation and rotation on this node go one at a time; against other nodes, insert conflicts decide.</summary>
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>Separate from <see cref="_gate"/>: building a CRL reads the current intermediate, which may take that gate.</summary>
    private readonly SemaphoreSlim _crlGate = new(1, 1);

    /// <summary>Creates the root and the first intermediate on first use; afterwards only reads.</summary>
    public async Task EnsureAsync(CancellationToken cancellationToken) => await CurrentAsync(cancellationToken);

    /// <summary>
    /// Issues a certificate for <paramref name="subjectPublicKey"/>'s public half, after checking every name
    /// against <paramref name="vault"/>'s allow-list. Returns the leaf and its chain [intermediate, root].
    /// </summary>
    public async Task<(byte[] Leaf, List<byte[]> Chain)> IssueAsync(
        VaultProperties vault, CertificateX509Properties x509, KeyMaterial subjectPublicKey, CancellationToken cancellationToken)
    {
        CertificateNameRules.Check(vault, x509);
        if (x509.ValidityMonths is < 1 or > CertificatePolicyRules.MaxValidityMonths)
        {
            throw E.BadParameter($"validity_months must be from 1 to {CertificatePolicyRules.MaxValidityMonths}.");
        }
        if (subjectPublicKey is not ({ Kty: KeyTypes.Rsa, N: not null, E: not null } or { Kty: KeyTypes.Ec, Crv: not null, X: not null, Y: not null }))
        {
            throw E.BadParameter("The Keyhub issuer certifies RSA and EC keys only.");
        }
        var subject = subjectPublicKey.ToPublic();
        var root = await RootAsync(cancellationToken);
        var (current, issuerKey) = await SigningIntermediateAsync(cancellationToken);
        using (issuerKey)
        {
            using var intermediate = X509CertificateLoader.LoadCertificate(current.Certificate);
            var now = time.GetUtcNow();
            var notBefore = CaCertificates.Max(now - CertificateBuilder.Backdate, intermediate.NotBefore.ToUniversalTime());
            var notAfter = CaCertificates.Min(now.AddMonths(x509.ValidityMonths), intermediate.NotAfter.ToUniversalTime());
            // 126 random bits make a collision practically impossible; the check and the insert make it impossible.
            for (var attempt = 0; attempt < 8; attempt++)
            {
                var serial = CertificateBuilder.NewSerialNumber();
                var key = R.Issued(Convert.ToHexStringLower(serial));
                if (await store.GetAsync(key, cancellationToken) is not null)
                {
                    continue;
                }
                var leaf = CertificateBuilder.Issue(x509, subject, intermediate, issuerKey, notBefore, notAfter, serial);
                try
                {
                    await store.WriteAsync([new RecordWrite.Insert(NewRecord(key, new IssuedCertificate(vault.Name, x509.Subject, current.Serial), now, notAfter))], cancellationToken);
                }
                catch (RecordConflictException)
                {
                    continue;
                }
                return (leaf, [current.Certificate, root.Certificate]);
            }
            throw new InvalidOperationException("The workload CA could not draw an unused serial number.");
        }
    }

    /// <summary>The chain relying parties install: [current intermediate, root], DER.</summary>
    public async Task<IReadOnlyList<byte[]>> ChainAsync(CancellationToken cancellationToken)
    {
        var current = await CurrentAsync(cancellationToken);
        var root = await RootAsync(cancellationToken);
        return [current.Certificate, root.Certificate];
    }

    /// <summary>The DER CRL of unexpired revoked leaves, signed by the current intermediate (see <see cref="WorkloadCrl"/>).</summary>
    public async Task<byte[]> CrlAsync(CancellationToken cancellationToken)
    {
        var current = await CurrentAsync(cancellationToken);
        var now = time.GetUtcNow();
        var revoked = new List<(string Serial, DateTimeOffset RevokedAt)>();
        // Revocation time and the leaf's notAfter are the record's clear timestamps: nothing to decrypt here.
        await foreach (var record in store.ListAllAsync(new RecordQuery(SystemVault.Name, R.RevokedKind), cancellationToken))
        {
            if (record.Expires is not { } expires || expires > now)
            {
                revoked.Add((record.Key.Name, record.Created));
            }
        }
        var covered = revoked.Select(r => r.Serial).Order(StringComparer.Ordinal).ToList();
        if (await CachedCrlAsync(cancellationToken) is { } cached && WorkloadCrl.StillHolds(cached, current.Serial, covered, now))
        {
            return cached.Der;
        }
        // Anonymous readers may arrive together when the CRL is due: one of them builds it, the others reuse it.
        await _crlGate.WaitAsync(cancellationToken);
        try
        {
            var previous = await CachedCrlAsync(cancellationToken);
            if (previous is not null && WorkloadCrl.StillHolds(previous, current.Serial, covered, now))
            {
                return previous.Der;
            }
            var (signing, issuerKey) = await SigningIntermediateAsync(cancellationToken);
            using (issuerKey)
            {
                using var issuer = X509CertificateLoader.LoadCertificate(signing.Certificate);
                var number = WorkloadCrl.NextNumber(previous, now);
                var der = WorkloadCrl.Build(issuer, issuerKey, revoked, number, now);
                await store.WriteAsync([new RecordWrite.Put(NewRecord(R.Crl, new CachedCrl(number, signing.Serial, now, covered, der), now, null))], cancellationToken);
                return der;
            }
        }
        finally
        {
            _crlGate.Release();
        }
    }

    /// <summary>Revokes a leaf this CA issued (hex serial; colons and case ignored). Revoking twice changes nothing.</summary>
    public async Task RevokeAsync(string serialNumberHex, CancellationToken cancellationToken)
    {
        var serial = NormalizeSerial(serialNumberHex);
        var issuedRecord = await store.GetAsync(R.Issued(serial), cancellationToken)
            ?? throw E.NotFound("CertificateNotFound", $"The workload CA has issued no certificate with serial number {serial}.");
        if (await store.GetAsync(R.Revoked(serial), cancellationToken) is not null)
        {
            return;
        }
        var issued = SealedJson.Decrypt<IssuedCertificate>(seal.Barrier, issuedRecord);
        try
        {
            await store.WriteAsync(
                [new RecordWrite.Insert(NewRecord(R.Revoked(serial), new RevokedCertificate(issued.Vault), time.GetUtcNow(), issuedRecord.Expires))],
                cancellationToken);
        }
        catch (RecordConflictException)
        {
            // Revoked concurrently: the first revocation time stands.
        }
    }

    /// <summary>A new intermediate issues from now on; the previous one's key is deleted (see the remarks on this class).</summary>
    public async Task RotateIntermediateAsync(CancellationToken cancellationToken)
    {
        var current = await CurrentAsync(cancellationToken);
        await ReplaceIntermediateAsync(current.Serial, cancellationToken);
    }

    private static string NormalizeSerial(string? text)
    {
        var hex = (text ?? "").Trim().Replace(":", "", StringComparison.Ordinal).ToLowerInvariant();
        if (hex.StartsWith("0x", StringComparison.Ordinal))
        {
            hex = hex[2..];
        }
        if (!SerialHex().IsMatch(hex))
        {
            throw E.BadParameter("A serial number is 1-40 hexadecimal digits (colons allowed).");
        }
        return hex.Length % 2 == 1 ? "0" + hex : hex;
    }

    [GeneratedRegex(@"^[0-9a-f]{1,40}\z", RegexOptions.CultureInvariant)]
    private static partial Regex SerialHex();
}
