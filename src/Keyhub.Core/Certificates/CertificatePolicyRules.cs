using System.Net;
using System.Security.Cryptography.X509Certificates;
using Keyhub.Core.Keys;
using E = Keyhub.Core.Errors.Errors;

namespace Keyhub.Core.Certificates;

/// <summary>
/// Validates policies and fills in the service's defaults (docs/certificates-wire.md §3): RSA 2048,
/// exportable, new key per version, PKCS#12, 12 months, serverAuth + clientAuth, digitalSignature +
/// keyEncipherment, AutoRenew at 80 % (EmailContacts for the Unknown issuer).
/// </summary>
public static class CertificatePolicyRules
{
    public const string Pkcs12 = "application/x-pkcs12";
    public const string Pem = "application/x-pem-file";
    public const string AutoRenew = "AutoRenew";
    public const string EmailContacts = "EmailContacts";
    public const int MaxValidityMonths = 120;
    public const int MaxNames = 100;

    public static readonly IReadOnlyList<string> DefaultEkus = ["1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"];
    public static readonly IReadOnlyList<string> DefaultKeyUsage = ["digitalSignature", "keyEncipherment"];

    // Azure's spellings, in the order the service sorts them; .NET sends "crlSign", JS "cRLSign".
    private static readonly string[] s_keyUsages =
        ["cRLSign", "dataEncipherment", "decipherOnly", "digitalSignature", "encipherOnly", "keyAgreement", "keyCertSign", "keyEncipherment", "nonRepudiation"];

    /// <summary>The policy a create or import stores: <paramref name="update"/> over <paramref name="current"/> (or the defaults).</summary>
    public static CertificatePolicy Apply(CertificatePolicyUpdate? update, CertificatePolicy? current, DateTimeOffset now)
    {
        update ??= new CertificatePolicyUpdate();
        var kty = Kty(update.Kty ?? current?.Key.Kty ?? KeyTypes.Rsa);
        var sameKty = current is not null && current.Key.Kty == kty;
        var key = kty == KeyTypes.Rsa
            ? new CertificateKeyProperties { Kty = kty, KeySize = RsaSize(update.KeySize ?? (sameKty ? current!.Key.KeySize : null) ?? 2048) }
            : EcKey(update.Curve ?? (sameKty ? current!.Key.Curve : null), update.KeySize ?? (update.Curve is null && sameKty ? current!.Key.KeySize : null));
        key = key with
        {
            Exportable = update.Exportable ?? current?.Key.Exportable ?? true,
            ReuseKey = update.ReuseKey ?? current?.Key.ReuseKey ?? false,
        };
        var contentType = ContentType(update.ContentType ?? current?.ContentType ?? Pkcs12);
        var issuer = IssuerName(update.IssuerName ?? current?.IssuerName ?? CertificateIssuers.Unknown);
        var x509 = new CertificateX509Properties
        {
            Subject = Subject(update.Subject ?? current?.X509.Subject),
            DnsNames = DnsNames(update.DnsNames ?? current?.X509.DnsNames ?? []),
            Emails = Emails(update.Emails ?? current?.X509.Emails ?? []),
            Upns = Upns(update.Upns ?? current?.X509.Upns ?? []),
            Uris = Uris(update.Uris ?? current?.X509.Uris ?? []),
            IpAddresses = IpAddresses(update.IpAddresses ?? current?.X509.IpAddresses ?? []),
            Ekus = Ekus(update.Ekus ?? current?.X509.Ekus ?? DefaultEkus),
            KeyUsage = KeyUsage(update.KeyUsage ?? current?.X509.KeyUsage ?? DefaultKeyUsage),
            ValidityMonths = ValidityMonths(update.ValidityMonths ?? current?.X509.ValidityMonths ?? 12),
        };
        var actions = update.LifetimeActions is { Count: > 0 } requested
            ? LifetimeActions(requested, x509.ValidityMonths, issuer)
            : current?.LifetimeActions is { Count: > 0 } kept && update.LifetimeActions is null
                ? LifetimeActions(kept, x509.ValidityMonths, issuer)
                : DefaultActions(issuer);
        return new CertificatePolicy
        {
            Key = key,
            ContentType = contentType,
            X509 = x509,
            IssuerName = issuer,
            CertificateType = update.CertificateType ?? current?.CertificateType,
            CertificateTransparency = update.CertificateTransparency ?? current?.CertificateTransparency,
            LifetimeActions = actions,
            Enabled = update.Enabled ?? current?.Enabled ?? true,
            Created = current?.Created ?? now,
            Updated = now,
        };
    }

    /// <summary>The managed key's <c>key_ops</c> from the X.509 key usages (Azure's mapping).</summary>
    public static List<string> KeyOpsFor(string kty, IReadOnlyList<string> keyUsage)
    {
        var ops = new List<string>();
        foreach (var usage in keyUsage)
        {
            ops.AddRange(usage switch
            {
                "dataEncipherment" => [KeyOperations.Encrypt, KeyOperations.Decrypt],
                "decipherOnly" => [KeyOperations.Decrypt],
                "encipherOnly" => [KeyOperations.Encrypt],
                "keyEncipherment" => [KeyOperations.WrapKey, KeyOperations.UnwrapKey],
                "digitalSignature" or "keyCertSign" or "nonRepudiation" or "cRLSign" => [KeyOperations.Sign, KeyOperations.Verify],
                _ => [],
            });
        }
        var valid = KeyTypes.OperationsFor(kty);
        return ops.Distinct(StringComparer.Ordinal).Where(valid.Contains).ToList();
    }

    private static string Kty(string kty) => kty switch
    {
        KeyTypes.Rsa or KeyTypes.Ec => kty,
        "RSA-HSM" or "EC-HSM" => throw E.BadParameter($"Key type {kty} needs an HSM-backed (premium) vault, which this deployment does not offer."),
        _ => throw E.BadParameter($"Certificate key type '{kty}' is not supported; use RSA or EC."),
    };

    private static int RsaSize(int size) => KeyFactory.RsaSizes.Contains(size)
        ? size
        : throw E.BadParameter($"RSA certificate keys are 2048, 3072 or 4096 bits, not {size}.");

    private static CertificateKeyProperties EcKey(string? curve, int? size)
    {
        var crv = curve ?? size switch
        {
            null or 256 => Curves.P256,
            384 => Curves.P384,
            521 => Curves.P521,
            _ => throw E.BadParameter($"EC certificate keys are 256, 384 or 521 bits, not {size}."),
        };
        var bits = crv switch
        {
            Curves.P256 => 256,
            Curves.P384 => 384,
            Curves.P521 => 521,
            _ => throw E.BadParameter($"Certificate keys use the curves P-256, P-384 or P-521, not '{crv}'."),
        };
        if (size is { } s && s != bits)
        {
            throw E.BadParameter($"key_size {s} does not match the curve {crv}.");
        }
        return new CertificateKeyProperties { Kty = KeyTypes.Ec, Curve = crv, KeySize = bits };
    }

    private static string ContentType(string contentType) => contentType switch
    {
        Pkcs12 or Pem => contentType,
        _ => throw E.BadParameter($"secret_props.contentType must be {Pkcs12} or {Pem}."),
    };

    private static string IssuerName(string name)
    {
        if (string.Equals(name, CertificateIssuers.Self, StringComparison.OrdinalIgnoreCase))
        {
            return CertificateIssuers.Self;
        }
        if (string.Equals(name, CertificateIssuers.Unknown, StringComparison.OrdinalIgnoreCase))
        {
            return CertificateIssuers.Unknown;
        }
        if (string.Equals(name, CertificateIssuers.Keyhub, StringComparison.OrdinalIgnoreCase))
        {
            return CertificateIssuers.Keyhub;
        }
        CertificateIssuers.ValidateName(name);
        return name;
    }

    private static string Subject(string? subject)
    {
        if (string.IsNullOrWhiteSpace(subject))
        {
            throw E.BadParameter("x509_props.subject is required (for example \"CN=app.payments.internal\").");
        }
        if (subject.Length > 1024)
        {
            throw E.BadParameter("x509_props.subject is longer than 1024 characters.");
        }
        try
        {
            var parsed = new X500DistinguishedName(subject);
            return parsed.RawData.Length > 0 ? subject : throw E.BadParameter("x509_props.subject is empty.");
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            throw E.BadParameter("x509_props.subject is not a valid X.500 distinguished name.");
        }
    }

    private static List<string> Bounded(IReadOnlyList<string> values, string field)
    {
        if (values.Count > MaxNames)
        {
            throw E.BadParameter($"{field} has more than {MaxNames} entries.");
        }
        return values.Distinct(StringComparer.Ordinal).ToList();
    }

    private static List<string> DnsNames(IReadOnlyList<string> names)
    {
        var list = Bounded(names, "sans.dns_names").Select(n => n.ToLowerInvariant()).Distinct().ToList();
        foreach (var name in list)
        {
            var labels = (name.StartsWith("*.", StringComparison.Ordinal) ? name[2..] : name).Split('.');
            if (name.Length > 253 || labels.Any(l => l.Length is 0 or > 63 || !l.All(c => char.IsAsciiLetterOrDigit(c) || c == '-') || l[0] == '-' || l[^1] == '-'))
            {
                throw E.BadParameter($"sans.dns_names: '{Clip(name)}' is not a valid DNS name.");
            }
        }
        return list;
    }

    private static List<string> Emails(IReadOnlyList<string> emails)
    {
        var list = Bounded(emails, "sans.emails");
        foreach (var email in list)
        {
            var at = email.IndexOf('@', StringComparison.Ordinal);
            if (email.Length > 254 || at <= 0 || at == email.Length - 1 || email.Any(char.IsWhiteSpace))
            {
                throw E.BadParameter($"sans.emails: '{Clip(email)}' is not an email address.");
            }
        }
        return list;
    }

    private static List<string> Upns(IReadOnlyList<string> upns)
    {
        var list = Bounded(upns, "sans.upns");
        if (list.Any(u => u.Length is 0 or > 254 || !u.Contains('@', StringComparison.Ordinal)))
        {
            throw E.BadParameter("sans.upns entries are user principal names such as user@contoso.com.");
        }
        return list;
    }

    private static List<string> Uris(IReadOnlyList<string> uris)
    {
        var list = Bounded(uris, "sans.uris");
        foreach (var uri in list)
        {
            if (uri.Length > 2048 || !Uri.TryCreate(uri, UriKind.Absolute, out _))
            {
                throw E.BadParameter($"sans.uris: '{Clip(uri)}' is not an absolute URI.");
            }
        }
        return list;
    }

    private static List<string> IpAddresses(IReadOnlyList<string> addresses)
    {
        var list = new List<string>();
        foreach (var address in Bounded(addresses, "sans.ipAddresses"))
        {
            if (!IPAddress.TryParse(address, out var parsed))
            {
                throw E.BadParameter($"sans.ipAddresses: '{Clip(address)}' is not an IP address.");
            }
            list.Add(parsed.ToString());
        }
        return list.Distinct().ToList();
    }

    private static List<string> Ekus(IReadOnlyList<string> ekus)
    {
        var list = Bounded(ekus, "x509_props.ekus");
        foreach (var oid in list)
        {
            var arcs = oid.Split('.');
            if (oid.Length > 128 || arcs.Length < 2 || arcs.Any(a => a.Length == 0 || !a.All(char.IsAsciiDigit)))
            {
                throw E.BadParameter($"x509_props.ekus: '{Clip(oid)}' is not an object identifier.");
            }
        }
        return list;
    }

    private static List<string> KeyUsage(IReadOnlyList<string> usages)
    {
        var list = new List<string>();
        foreach (var usage in Bounded(usages, "x509_props.key_usage"))
        {
            list.Add(s_keyUsages.FirstOrDefault(u => string.Equals(u, usage, StringComparison.OrdinalIgnoreCase))
                ?? throw E.BadParameter($"x509_props.key_usage: '{Clip(usage)}' is not a key usage. Valid: {string.Join(", ", s_keyUsages)}."));
        }
        return list.Distinct().OrderBy(u => u, StringComparer.Ordinal).ToList();
    }

    private static int ValidityMonths(int months) => months is >= 1 and <= MaxValidityMonths
        ? months
        : throw E.BadParameter($"x509_props.validity_months must be between 1 and {MaxValidityMonths}.");

    private static List<CertificateLifetimeAction> LifetimeActions(IReadOnlyList<CertificateLifetimeAction> actions, int validityMonths, string issuer)
    {
        if (actions.Count > 1)
        {
            throw E.BadParameter("A certificate policy takes one lifetime action.");
        }
        var list = new List<CertificateLifetimeAction>();
        foreach (var action in actions)
        {
            var type = string.Equals(action.ActionType, AutoRenew, StringComparison.OrdinalIgnoreCase) ? AutoRenew
                : string.Equals(action.ActionType, EmailContacts, StringComparison.OrdinalIgnoreCase) ? EmailContacts
                : throw E.BadParameter($"Lifetime action type '{Clip(action.ActionType)}' is not supported; use AutoRenew or EmailContacts.");
            if (type == AutoRenew && issuer == CertificateIssuers.Unknown)
            {
                throw E.BadParameter("AutoRenew needs an issuer that can issue; certificates of the Unknown issuer take EmailContacts.");
            }
            switch (action.LifetimePercentage, action.DaysBeforeExpiry)
            {
                case ({ } percentage, null) when percentage is >= 1 and <= 99:
                case (null, { } days) when days >= 1 && days <= validityMonths * 27:
                    break;
                case (not null, not null):
                    throw E.BadParameter("A lifetime action trigger takes lifetime_percentage or days_before_expiry, not both.");
                case (null, null):
                    throw E.BadParameter("A lifetime action trigger needs lifetime_percentage or days_before_expiry.");
                default:
                    throw E.BadParameter($"lifetime_percentage is 1-99 and days_before_expiry 1-{validityMonths * 27} (27 days per month of validity).");
            }
            list.Add(action with { ActionType = type });
        }
        return list;
    }

    private static List<CertificateLifetimeAction> DefaultActions(string issuer) =>
        [new(issuer == CertificateIssuers.Unknown ? EmailContacts : AutoRenew, 80, null)];

    private static string Clip(string value) => value.Length > 64 ? value[..64] + "…" : value;
}
