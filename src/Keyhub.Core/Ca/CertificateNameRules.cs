using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;
using Keyhub.Core.Certificates;
using Keyhub.Core.Vaults;
using E = Keyhub.Core.Errors.Errors;

namespace Keyhub.Core.Ca;

/// <summary>
/// The names the workload CA may put in a vault's certificates: DNS names under the vault's allow-listed
/// suffixes and IP addresses inside its allow-listed ranges, nothing else. An empty allow-list lets the
/// vault get no name at all, so a spoke cannot obtain a certificate for a name the deployment Owner did not give it.
/// </summary>
public static partial class CertificateNameRules
{
    /// <summary>Enough for any real deployment; bounds the cost of a check.</summary>
    public const int MaxEntries = 50;

    private const string CommonNameOid = "2.5.4.3";
    private const string EmailAddressOid = "1.2.840.113549.1.9.1";
    private const string ServerAuth = "1.3.6.1.5.5.7.3.1";
    private const string ClientAuth = "1.3.6.1.5.5.7.3.2";

    /// <summary>Validates and normalises DNS suffixes (lower case, no leading dot, no duplicates).</summary>
    public static IReadOnlyList<string> NormalizeSuffixes(IEnumerable<string> suffixes)
    {
        var result = new List<string>();
        foreach (var raw in suffixes)
        {
            var suffix = (raw ?? "").Trim().TrimStart('.').ToLowerInvariant();
            if (!DnsName().IsMatch(suffix) || suffix.Length > 253)
            {
                throw E.BadParameter($"'{Shorten(raw)}' is not a DNS suffix: use letters, digits, '-' and dots, like payments.internal (no wildcard).");
            }
            if (!result.Contains(suffix, StringComparer.Ordinal))
            {
                result.Add(suffix);
            }
        }
        return result.Count <= MaxEntries ? result : throw E.BadParameter($"A vault has at most {MaxEntries} certificate DNS suffixes.");
    }

    /// <summary>Validates CIDR ranges and returns them in canonical form; a range with host bits set is refused, not silently widened.</summary>
    public static IReadOnlyList<string> NormalizeRanges(IEnumerable<string> ranges)
    {
        var result = new List<string>();
        foreach (var raw in ranges)
        {
            var text = (raw ?? "").Trim();
            if (!text.Contains('/', StringComparison.Ordinal) || !IPNetwork.TryParse(text, out var network))
            {
                throw E.BadParameter($"'{Shorten(raw)}' is not an IP range in CIDR notation, like 10.1.0.0/16 or fd00:1::/64.");
            }
            var canonical = network.ToString();
            if (!IPAddress.Parse(text[..text.IndexOf('/', StringComparison.Ordinal)]).Equals(network.BaseAddress))
            {
                throw E.BadParameter($"'{Shorten(raw)}' has bits set after the prefix; the range is {canonical}.");
            }
            if (!result.Contains(canonical, StringComparer.Ordinal))
            {
                result.Add(canonical);
            }
        }
        return result.Count <= MaxEntries ? result : throw E.BadParameter($"A vault has at most {MaxEntries} certificate IP ranges.");
    }

    /// <summary>
    /// Refuses, naming the first offending value, anything the workload CA does not issue for this vault:
    /// a DNS name (SAN, or a common name that reads as a host name or IP) outside the allow-list, an IP
    /// outside the ranges, any e-mail, UPN or URI name, CA key usages, and purposes other than TLS server
    /// and client authentication (an OCSP-signing or any-purpose leaf would speak for the CA itself).
    /// </summary>
    public static void Check(VaultProperties vault, CertificateX509Properties x509)
    {
        if (x509.Emails.Count > 0 || x509.Upns.Count > 0 || x509.Uris.Count > 0)
        {
            throw E.BadParameter("The Keyhub issuer puts only DNS names and IP addresses in certificates; e-mail, UPN and URI names are refused.");
        }
        foreach (var name in x509.DnsNames)
        {
            CheckDnsName(vault, name);
        }
        foreach (var address in x509.IpAddresses)
        {
            CheckIpAddress(vault, address);
        }
        CheckSubject(vault, x509.Subject);
        var usages = CertificateBuilder.KeyUsageFlags(x509.KeyUsage);
        if ((usages & (X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign)) != 0)
        {
            throw E.BadParameter("The Keyhub issuer does not issue certificates with the keyCertSign or cRLSign key usage.");
        }
        if (x509.Ekus.Count == 0 || x509.Ekus.Any(eku => eku is not (ServerAuth or ClientAuth)))
        {
            throw E.BadParameter($"The Keyhub issuer issues TLS certificates: ekus must be serverAuth ({ServerAuth}) and/or clientAuth ({ClientAuth}).");
        }
    }

    /// <summary>Whether <paramref name="name"/> (optionally a <c>*.</c> wildcard) is at or under one of the suffixes.</summary>
    public static bool IsAllowedDnsName(IReadOnlyList<string> suffixes, string name)
    {
        var host = name.StartsWith("*.", StringComparison.Ordinal) ? name[2..] : name;
        if (!DnsName().IsMatch(host) || host.Length > 253)
        {
            return false;
        }
        return suffixes.Any(suffix =>
            host.Equals(suffix, StringComparison.OrdinalIgnoreCase)
            || host.EndsWith("." + suffix, StringComparison.OrdinalIgnoreCase));
    }

    public static bool IsAllowedIpAddress(IReadOnlyList<string> ranges, IPAddress address) =>
        ranges.Any(range => IPNetwork.TryParse(range, out var network) && network.Contains(address));

    private static void CheckDnsName(VaultProperties vault, string name)
    {
        if (!IsAllowedDnsName(vault.CertDnsSuffixes, name))
        {
            throw E.BadParameter(vault.CertDnsSuffixes.Count == 0
                ? $"The Keyhub issuer refuses the name '{Shorten(name)}': vault {vault.Name} has no certificate DNS suffixes (the deployment Owner sets them with keyhub vault update --cert-dns-suffix)."
                : $"The Keyhub issuer refuses the name '{Shorten(name)}': it is not under vault {vault.Name}'s DNS suffixes ({string.Join(", ", vault.CertDnsSuffixes)}).");
        }
    }

    private static void CheckIpAddress(VaultProperties vault, string text)
    {
        if (!IPAddress.TryParse(text, out var address) || !IsAllowedIpAddress(vault.CertIpRanges, address))
        {
            throw E.BadParameter(vault.CertIpRanges.Count == 0
                ? $"The Keyhub issuer refuses the IP address '{Shorten(text)}': vault {vault.Name} has no certificate IP ranges."
                : $"The Keyhub issuer refuses the IP address '{Shorten(text)}': it is not inside vault {vault.Name}'s IP ranges ({string.Join(", ", vault.CertIpRanges)}).");
        }
    }

    /// <summary>
    /// Clients that find no SAN fall back to the common name, so a CN that reads as a host name (has a dot
    /// or a wildcard, or is <c>localhost</c>) or as an IP address is held to the same allow-list. A
    /// free-text CN ("payments api") names nothing a client would match and is left alone.
    /// </summary>
    private static void CheckSubject(VaultProperties vault, string subject)
    {
        X500DistinguishedName parsed;
        try
        {
            parsed = new X500DistinguishedName(subject);
        }
        catch (CryptographicException)
        {
            throw E.BadParameter("x509_props.subject is not a valid X.500 distinguished name.");
        }
        foreach (var rdn in parsed.EnumerateRelativeDistinguishedNames())
        {
            if (rdn.HasMultipleElements)
            {
                throw E.BadParameter("The Keyhub issuer does not issue subjects with multi-valued RDNs ('+').");
            }
            var type = rdn.GetSingleElementType().Value;
            if (type == EmailAddressOid)
            {
                throw E.BadParameter("The Keyhub issuer puts no e-mail address in the subject.");
            }
            if (type != CommonNameOid || rdn.GetSingleElementValue() is not { } value)
            {
                continue;
            }
            if (IPAddress.TryParse(value, out _) && (value.Contains('.', StringComparison.Ordinal) || value.Contains(':', StringComparison.Ordinal)))
            {
                CheckIpAddress(vault, value);
            }
            else if (HostLike().IsMatch(value) && (value.Contains('.', StringComparison.Ordinal) || value.Contains('*', StringComparison.Ordinal)
                || value.Equals("localhost", StringComparison.OrdinalIgnoreCase)))
            {
                CheckDnsName(vault, value);
            }
        }
    }

    /// <summary>Refused input is echoed in errors to say which name failed, but never at length.</summary>
    private static string Shorten(string? value) => value is null ? "" : value.Length <= 100 ? value : value[..100] + "…";

    /// <summary>LDH labels of 1–63 characters, not starting or ending with '-', separated by single dots.</summary>
    [GeneratedRegex(@"^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*\z", RegexOptions.CultureInvariant)]
    private static partial Regex DnsName();

    [GeneratedRegex(@"^[a-zA-Z0-9.*-]+\z", RegexOptions.CultureInvariant)]
    private static partial Regex HostLike();
}
