using System.Text.Json.Nodes;
using Keyhub.Core.Secrets;
using Keyhub.Core.Vaults;

namespace Keyhub.Server.Secrets;

/// <summary>SecretBundle, SecretItem and their deleted forms, as the SDKs parse them (wire.md §4.2).</summary>
internal static class SecretJson
{
    public static JsonObject Bundle(string origin, VaultProperties vault, SecretVersion secret)
    {
        var json = Item(origin, vault, secret, withVersion: true);
        if (secret.Value is not null)
        {
            json["value"] = secret.Value;
        }
        return json;
    }

    public static JsonObject Item(string origin, VaultProperties vault, SecretVersion secret, bool withVersion)
    {
        var json = new JsonObject
        {
            ["id"] = withVersion ? $"{origin}/secrets/{secret.Name}/{secret.Version}" : $"{origin}/secrets/{secret.Name}",
            ["attributes"] = Attributes(vault, secret),
        };
        if (secret.ContentType is not null)
        {
            json["contentType"] = secret.ContentType;
        }
        if (secret.Tags is { Count: > 0 })
        {
            var tags = new JsonObject();
            foreach (var (name, value) in secret.Tags)
            {
                tags[name] = value;
            }
            json["tags"] = tags;
        }
        if (secret.Managed)
        {
            // A certificate's secret points at the certificate's key of the same version.
            json["managed"] = true;
            json["kid"] = withVersion ? $"{origin}/keys/{secret.Name}/{secret.Version}" : $"{origin}/keys/{secret.Name}";
        }
        return json;
    }

    public static JsonObject Deleted(string origin, VaultProperties vault, DeletedSecret deleted, bool bundle)
    {
        var json = Item(origin, vault, deleted.Latest, withVersion: bundle);
        json["recoveryId"] = $"{origin}/deletedsecrets/{deleted.Latest.Name}";
        json["deletedDate"] = deleted.DeletedDate.ToUnixTimeSeconds();
        json["scheduledPurgeDate"] = deleted.ScheduledPurgeDate.ToUnixTimeSeconds();
        return json;
    }

    private static JsonObject Attributes(VaultProperties vault, SecretVersion secret)
    {
        var json = new JsonObject { ["enabled"] = secret.Enabled };
        if (secret.NotBefore is { } nbf)
        {
            json["nbf"] = nbf.ToUnixTimeSeconds();
        }
        if (secret.Expires is { } exp)
        {
            json["exp"] = exp.ToUnixTimeSeconds();
        }
        json["created"] = secret.Created.ToUnixTimeSeconds();
        json["updated"] = secret.Updated.ToUnixTimeSeconds();
        json["recoverableDays"] = vault.RetentionDays;
        json["recoveryLevel"] = vault.RecoveryLevel;
        return json;
    }
}
