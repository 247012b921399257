using System.Buffers.Text;
using System.Text.Json.Nodes;
using Keyhub.Core.Certificates;
using Keyhub.Core.Vaults;

namespace Keyhub.Server.Certificates;

/// <summary>CertificateBundle, items, policy, operation, issuer and contacts as the SDKs parse them (docs/certificates-wire.md §2).</summary>
internal static class CertificateJson
{
    public static JsonObject Bundle(string origin, VaultProperties vault, CertificateVersion certificate)
    {
        var json = new JsonObject();
        if (certificate.Version.Length > 0)
        {
            json["id"] = $"{origin}/certificates/{certificate.Name}/{certificate.Version}";
            json["kid"] = $"{origin}/keys/{certificate.Name}/{certificate.Version}";
            json["sid"] = $"{origin}/secrets/{certificate.Name}/{certificate.Version}";
        }
        else
        {
            json["id"] = $"{origin}/certificates/{certificate.Name}";
        }
        if (certificate.Cer is { } cer)
        {
            json["x5t"] = Base64Url.EncodeToString(certificate.Thumbprint!);
            json["cer"] = Convert.ToBase64String(cer);
        }
        json["attributes"] = Attributes(vault, certificate);
        AddTags(json, certificate.Tags);
        if (certificate.Policy is { } policy)
        {
            json["policy"] = Policy(origin, certificate.Name, policy);
        }
        if (certificate.HasOperation)
        {
            json["pending"] = new JsonObject { ["id"] = $"{origin}/certificates/{certificate.Name}/pending" };
        }
        return json;
    }

    public static JsonObject Item(string origin, VaultProperties vault, CertificateVersion certificate, bool withVersion)
    {
        var json = new JsonObject
        {
            ["id"] = withVersion ? $"{origin}/certificates/{certificate.Name}/{certificate.Version}" : $"{origin}/certificates/{certificate.Name}",
        };
        if (certificate.Thumbprint is { } x5t)
        {
            json["x5t"] = Base64Url.EncodeToString(x5t);
        }
        json["attributes"] = Attributes(vault, certificate);
        AddTags(json, certificate.Tags);
        return json;
    }

    public static JsonObject Deleted(string origin, VaultProperties vault, DeletedCertificate deleted, bool bundle)
    {
        var json = bundle ? Bundle(origin, vault, deleted.Latest) : Item(origin, vault, deleted.Latest, withVersion: false);
        json.Remove("pending");
        json["recoveryId"] = $"{origin}/deletedcertificates/{deleted.Latest.Name}";
        json["deletedDate"] = deleted.DeletedDate.ToUnixTimeSeconds();
        json["scheduledPurgeDate"] = deleted.ScheduledPurgeDate.ToUnixTimeSeconds();
        return json;
    }

    public static JsonObject Policy(string origin, string name, CertificatePolicy policy)
    {
        var key = new JsonObject { ["exportable"] = policy.Key.Exportable, ["kty"] = policy.Key.Kty, ["reuse_key"] = policy.Key.ReuseKey };
        if (policy.Key.KeySize is { } size)
        {
            key["key_size"] = size;
        }
        if (policy.Key.Curve is { } crv)
        {
            key["crv"] = crv;
        }
        var sans = new JsonObject();
        AddList(sans, "dns_names", policy.X509.DnsNames);
        AddList(sans, "emails", policy.X509.Emails);
        AddList(sans, "upns", policy.X509.Upns);
        AddList(sans, "uris", policy.X509.Uris);
        AddList(sans, "ipAddresses", policy.X509.IpAddresses);
        var x509 = new JsonObject { ["subject"] = policy.X509.Subject, ["sans"] = sans };
        x509["ekus"] = new JsonArray([.. policy.X509.Ekus.Select(e => (JsonNode)e)]);
        x509["key_usage"] = new JsonArray([.. policy.X509.KeyUsage.Select(u => (JsonNode)u)]);
        x509["validity_months"] = policy.X509.ValidityMonths;
        x509["basic_constraints"] = new JsonObject { ["ca"] = false };
        var issuer = new JsonObject { ["name"] = policy.IssuerName };
        if (policy.CertificateType is { } cty)
        {
            issuer["cty"] = cty;
        }
        if (policy.CertificateTransparency is { } ct)
        {
            issuer["cert_transparency"] = ct;
        }
        var actions = new JsonArray();
        foreach (var action in policy.LifetimeActions)
        {
            var trigger = new JsonObject();
            if (action.LifetimePercentage is { } percentage)
            {
                trigger["lifetime_percentage"] = percentage;
            }
            if (action.DaysBeforeExpiry is { } days)
            {
                trigger["days_before_expiry"] = days;
            }
            actions.Add(new JsonObject { ["trigger"] = trigger, ["action"] = new JsonObject { ["action_type"] = action.ActionType } });
        }
        var attributes = new JsonObject { ["enabled"] = policy.Enabled };
        if (policy.Created is { } created)
        {
            attributes["created"] = created.ToUnixTimeSeconds();
        }
        if (policy.Updated is { } updated)
        {
            attributes["updated"] = updated.ToUnixTimeSeconds();
        }
        return new JsonObject
        {
            ["id"] = $"{origin}/certificates/{name}/policy",
            ["key_props"] = key,
            ["secret_props"] = new JsonObject { ["contentType"] = policy.ContentType },
            ["x509_props"] = x509,
            ["lifetime_actions"] = actions,
            ["issuer"] = issuer,
            ["attributes"] = attributes,
        };
    }

    public static JsonObject Operation(string origin, CertificateOperation operation)
    {
        var issuer = new JsonObject { ["name"] = operation.IssuerName };
        if (operation.CertificateType is { } cty)
        {
            issuer["cty"] = cty;
        }
        if (operation.CertificateTransparency is { } ct)
        {
            issuer["cert_transparency"] = ct;
        }
        var json = new JsonObject
        {
            ["id"] = $"{origin}/certificates/{operation.Name}/pending",
            ["issuer"] = issuer,
        };
        if (operation.Csr is { } csr)
        {
            json["csr"] = Convert.ToBase64String(csr);
        }
        json["cancellation_requested"] = operation.CancellationRequested;
        json["status"] = operation.Status;
        if (operation.StatusDetails is { } details)
        {
            json["status_details"] = details;
        }
        if (operation.ErrorCode is not null)
        {
            json["error"] = new JsonObject { ["code"] = operation.ErrorCode, ["message"] = operation.ErrorMessage ?? operation.ErrorCode };
        }
        if (operation.Status == CertificateOperation.Completed)
        {
            json["target"] = $"{origin}/certificates/{operation.Name}";
        }
        json["request_id"] = operation.RequestId;
        return json;
    }

    public static JsonObject Issuer(string origin, CertificateIssuer issuer, bool item = false)
    {
        var json = new JsonObject { ["id"] = $"{origin}/certificates/issuers/{issuer.Name}", ["provider"] = issuer.Provider };
        if (item)
        {
            return json;
        }
        if (issuer.AccountId is { } account)
        {
            json["credentials"] = new JsonObject { ["account_id"] = account };
        }
        if (issuer.OrganizationId is not null || issuer.Admins.Count > 0)
        {
            var org = new JsonObject();
            if (issuer.OrganizationId is { } id)
            {
                org["id"] = id;
            }
            var admins = new JsonArray();
            foreach (var admin in issuer.Admins)
            {
                var a = new JsonObject();
                AddString(a, "first_name", admin.FirstName);
                AddString(a, "last_name", admin.LastName);
                AddString(a, "email", admin.Email);
                AddString(a, "phone", admin.Phone);
                admins.Add(a);
            }
            org["admin_details"] = admins;
            json["org_details"] = org;
        }
        json["attributes"] = new JsonObject
        {
            ["enabled"] = issuer.Enabled,
            ["created"] = issuer.Created.ToUnixTimeSeconds(),
            ["updated"] = issuer.Updated.ToUnixTimeSeconds(),
        };
        return json;
    }

    public static JsonObject Contacts(string origin, IReadOnlyList<CertificateContact> contacts)
    {
        var list = new JsonArray();
        foreach (var contact in contacts)
        {
            var c = new JsonObject();
            AddString(c, "email", contact.Email);
            AddString(c, "name", contact.Name);
            AddString(c, "phone", contact.Phone);
            list.Add(c);
        }
        return new JsonObject { ["id"] = $"{origin}/certificates/contacts", ["contacts"] = list };
    }

    private static JsonObject Attributes(VaultProperties vault, CertificateVersion certificate)
    {
        var json = new JsonObject { ["enabled"] = certificate.Enabled };
        if (certificate.NotBefore is { } nbf)
        {
            json["nbf"] = nbf.ToUnixTimeSeconds();
        }
        if (certificate.Expires is { } exp)
        {
            json["exp"] = exp.ToUnixTimeSeconds();
        }
        json["created"] = certificate.Created.ToUnixTimeSeconds();
        json["updated"] = certificate.Updated.ToUnixTimeSeconds();
        json["recoveryLevel"] = vault.RecoveryLevel;
        json["recoverableDays"] = vault.RetentionDays;
        return json;
    }

    private static void AddTags(JsonObject json, IReadOnlyDictionary<string, string>? tags)
    {
        if (tags is { Count: > 0 })
        {
            var t = new JsonObject();
            foreach (var (name, value) in tags)
            {
                t[name] = value;
            }
            json["tags"] = t;
        }
    }

    private static void AddList(JsonObject json, string name, IReadOnlyList<string> values)
    {
        if (values.Count > 0)
        {
            json[name] = new JsonArray([.. values.Select(v => (JsonNode)v)]);
        }
    }

    private static void AddString(JsonObject json, string name, string? value)
    {
        if (value is not null)
        {
            json[name] = value;
        }
    }
}
