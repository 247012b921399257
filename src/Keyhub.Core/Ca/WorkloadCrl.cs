using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Keyhub.Core.Ca;

/// <summary>
/// The workload CA's CRL: every revoked leaf that has not expired yet, signed by the current
/// intermediate. A built CRL is kept with the list of serials it covers; it is served again while that
/// list is unchanged, the intermediate is the same and it is less than a day old, so an anonymous reader
/// causes at most one signature a day (or per revocation), and a revocation made on any node shows in
/// the very next CRL.
/// </summary>
internal static class WorkloadCrl
{
    /// <summary>nextUpdate: a week, so a relying party that caches the CRL keeps a valid one through an outage.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromDays(7);

    /// <summary>A served CRL always has at least six of its seven days left.</summary>
    public static readonly TimeSpan Refresh = TimeSpan.FromDays(1);

    public static bool StillHolds(CachedCrl cached, string issuerSerial, IReadOnlyList<string> covered, DateTimeOffset now) =>
        cached.IssuerSerial == issuerSerial
        && now >= cached.ThisUpdate
        && now - cached.ThisUpdate < Refresh
        && cached.Covered.SequenceEqual(covered, StringComparer.Ordinal);

    /// <summary>
    /// The CRL number only grows: one more than the last one built, and at least the current Unix time in
    /// milliseconds, so two nodes that rebuild without seeing each other's CRL still move it forward.
    /// </summary>
    public static long NextNumber(CachedCrl? previous, DateTimeOffset now) =>
        Math.Max((previous?.Number ?? 0) + 1, now.ToUnixTimeMilliseconds());

    public static byte[] Build(
        X509Certificate2 issuer, ECDsa issuerKey, IEnumerable<(string Serial, DateTimeOffset RevokedAt)> revoked, long number, DateTimeOffset now)
    {
        var builder = new CertificateRevocationListBuilder();
        foreach (var (serial, revokedAt) in revoked)
        {
            builder.AddEntry(Convert.FromHexString(serial), revokedAt);
        }
        // Through a signature generator, so an issuer key in the HSM signs without being exported.
        return builder.Build(
            issuer.SubjectName,
            X509SignatureGenerator.CreateForECDsa(issuerKey),
            number,
            now + Lifetime,
            HashAlgorithmName.SHA256,
            X509AuthorityKeyIdentifierExtension.CreateFromCertificate(issuer, includeKeyIdentifier: true, includeIssuerAndSerial: false),
            thisUpdate: now);
    }
}
