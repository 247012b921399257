using System.Text.Json.Nodes;
using Keyhub.Core.Keys;
using Keyhub.Core.Vaults;
using Keyhub.Server.Http;

namespace Keyhub.Server.Keys;

/// <summary>KeyBundle, KeyItem, their deleted forms and rotation policies, as the SDKs parse them (wire.md §4.3).</summary>
internal static class KeyJson
{
    public static string Kid(string origin, string name, string? version = null) =>
        version is null ? $"{origin}/keys/{name}" : $"{origin}/keys/{name}/{version}";

    public static JsonObject Bundle(string origin, VaultProperties vault, KeyVersion key)
    {
        var json = new JsonObject { ["key"] = Jwk(origin, key) };
        AddCommon(json, vault, key);
        return json;
    }

    public static JsonObject Item(string origin, VaultProperties vault, KeyVersion key, bool withVersion)
    {
        var json = new JsonObject { ["kid"] = Kid(origin, key.Name, withVersion ? key.Version : null) };
        AddCommon(json, vault, key);
        return json;
    }

    public static JsonObject Deleted(string origin, VaultProperties vault, DeletedKey deleted, bool bundle)
    {
        var json = bundle ? Bundle(origin, vault, deleted.Latest) : Item(origin, vault, deleted.Latest, withVersion: false);
        json["recoveryId"] = $"{origin}/deletedkeys/{deleted.Latest.Name}";
        json["deletedDate"] = deleted.DeletedDate.ToUnixTimeSeconds();
        json["scheduledPurgeDate"] = deleted.ScheduledPurgeDate.ToUnixTimeSeconds();
        return json;
    }

    public static JsonObject Policy(string origin, string name, RotationPolicy policy)
    {
        var actions = new JsonArray();
        foreach (var action in policy.LifetimeActions)
        {
            var trigger = new JsonObject();
            if (action.TimeAfterCreate is not null)
            {
                trigger["timeAfterCreate"] = action.TimeAfterCreate;
            }
            if (action.TimeBeforeExpiry is not null)
            {
                trigger["timeBeforeExpiry"] = action.TimeBeforeExpiry;
            }
            actions.Add(new JsonObject { ["trigger"] = trigger, ["action"] = new JsonObject { ["type"] = action.Action } });
        }
        var attributes = new JsonObject();
        if (policy.ExpiryTime is not null)
        {
            attributes["expiryTime"] = policy.ExpiryTime;
        }
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
            ["id"] = $"{origin}/keys/{name}/rotationpolicy",
            ["lifetimeActions"] = actions,
            ["attributes"] = attributes,
        };
    }

    /// <summary>The public JWK: n and e, or crv, x and y; never d, p, q, dp, dq, qi or k.</summary>
    private static JsonObject Jwk(string origin, KeyVersion key)
    {
        var pub = key.PublicKey;
        var jwk = new JsonObject
        {
            ["kid"] = Kid(origin, key.Name, key.Version),
            // An HSM key shows its HSM type, as Azure's premium vaults do.
            ["kty"] = key.Hsm ? pub.Kty + "-HSM" : pub.Kty,
            ["key_ops"] = new JsonArray(key.KeyOps.Select(op => (JsonNode)JsonValue.Create(op)!).ToArray()),
        };
        switch (pub.Kty)
        {
            case KeyTypes.Rsa:
                jwk["n"] = Endpoints.Base64UrlString(pub.N!);
                jwk["e"] = Endpoints.Base64UrlString(pub.E!);
                break;
            case KeyTypes.Ec:
                jwk["crv"] = pub.Crv;
                jwk["x"] = Endpoints.Base64UrlString(pub.X!);
                jwk["y"] = Endpoints.Base64UrlString(pub.Y!);
                break;
        }
        return jwk;
    }

    private static void AddCommon(JsonObject json, VaultProperties vault, KeyVersion key)
    {
        var attributes = new JsonObject { ["enabled"] = key.Enabled };
        if (key.NotBefore is { } nbf)
        {
            attributes["nbf"] = nbf.ToUnixTimeSeconds();
        }
        if (key.Expires is { } exp)
        {
            attributes["exp"] = exp.ToUnixTimeSeconds();
        }
        attributes["created"] = key.Created.ToUnixTimeSeconds();
        attributes["updated"] = key.Updated.ToUnixTimeSeconds();
        attributes["recoverableDays"] = vault.RetentionDays;
        attributes["recoveryLevel"] = vault.RecoveryLevel;
        attributes["exportable"] = false;
        json["attributes"] = attributes;
        if (key.Tags is { Count: > 0 })
        {
            var tags = new JsonObject();
            foreach (var (name, value) in key.Tags)
            {
                tags[name] = value;
            }
            json["tags"] = tags;
        }
        if (key.Managed)
        {
            json["managed"] = true;
        }
    }
}
