using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Keyhub.Core.Authorization;
using Keyhub.Core.Identity;
using Keyhub.Core.Vaults;

namespace Keyhub.Server.Management;

/// <summary>Bodies of Keyhub's management API (camelCase, ids everywhere, display names as labels).</summary>
internal static class ManagementJson
{
    public static JsonObject Vault(VaultProperties vault, string url) => new()
    {
        ["name"] = vault.Name,
        ["url"] = url,
        ["port"] = vault.Port,
        ["sku"] = vault.Sku,
        ["retentionDays"] = vault.RetentionDays,
        ["purgeProtection"] = vault.PurgeProtection,
        ["recoveryLevel"] = vault.RecoveryLevel,
        ["certDnsSuffixes"] = Strings(vault.CertDnsSuffixes),
        ["certIpRanges"] = Strings(vault.CertIpRanges),
    };

    public static JsonObject DeletedVault(DeletedVault deleted, string url)
    {
        var json = Vault(deleted.Vault, url);
        json["deletedDate"] = deleted.DeletedDate.ToUnixTimeSeconds();
        json["scheduledPurgeDate"] = deleted.ScheduledPurgeDate.ToUnixTimeSeconds();
        return json;
    }

    public static JsonObject Principal(ServicePrincipal principal) => new()
    {
        ["objectId"] = principal.ObjectId,
        ["clientId"] = principal.ClientId,
        ["displayName"] = principal.DisplayName,
        ["enabled"] = principal.Enabled,
        ["secrets"] = new JsonArray(principal.Secrets.Select(s => (JsonNode)new JsonObject
        {
            ["id"] = s.Id,
            ["created"] = s.Created.ToUnixTimeSeconds(),
            ["expires"] = s.Expires?.ToUnixTimeSeconds(),
        }).ToArray()),
        ["certificates"] = new JsonArray(principal.Certificates.Select(c => (JsonNode)new JsonObject
        {
            ["id"] = c.Id,
            ["thumbprintSha256"] = c.ThumbprintSha256,
            ["notAfter"] = c.NotAfter.ToUnixTimeSeconds(),
        }).ToArray()),
        ["workloadCredentials"] = principal.WorkloadCredentials.Count,
    };

    public static JsonObject Group(Group group) => new()
    {
        ["objectId"] = group.ObjectId,
        ["displayName"] = group.DisplayName,
        ["members"] = new JsonArray(group.Members.Select(m => (JsonNode)JsonValue.Create(m)!).ToArray()),
    };

    public static JsonObject Assignment(RoleAssignment assignment) => new()
    {
        ["id"] = assignment.Id,
        ["principalId"] = assignment.PrincipalId,
        ["roleDefinitionId"] = assignment.RoleDefinitionId,
        ["roleName"] = BuiltInRoles.All.FirstOrDefault(r => r.Id == assignment.RoleDefinitionId)?.Name,
        ["scope"] = assignment.Scope,
    };

    public static JsonObject Barrier(Keyhub.Core.Seal.BarrierStatus status) => new()
    {
        ["activeTerm"] = status.ActiveTerm,
        ["activeTermEncryptions"] = status.ActiveTermEncryptions,
        ["maxEncryptionsPerTerm"] = status.MaxEncryptionsPerTerm,
        ["maxTermAgeDays"] = status.MaxTermAge?.TotalDays,
        ["lastReencryptionPass"] = status.LastPassCompleted?.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
        ["terms"] = new JsonArray([.. status.Terms.Select(t => (JsonNode)new JsonObject
        {
            ["term"] = t.Term,
            ["created"] = t.Created.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
            ["active"] = t.Active,
            // Null until a full pass has counted them.
            ["records"] = t.Records,
        })]),
    };

    public static JsonObject Role(RoleDefinition role) => new()
    {
        ["id"] = role.Id,
        ["name"] = role.Name,
        ["dataActions"] = new JsonArray(role.DataActions.Select(a => (JsonNode)JsonValue.Create(a)!).ToArray()),
        ["actions"] = new JsonArray(role.Actions.Select(a => (JsonNode)JsonValue.Create(a)!).ToArray()),
    };

    /// <summary>A workload CA certificate as the CA endpoints describe it (serial in the hex <c>keyhub ca revoke</c> takes).</summary>
    public static JsonObject CaCertificate(X509Certificate2 certificate) => new()
    {
        ["subject"] = certificate.Subject,
        ["serialNumber"] = certificate.SerialNumber.ToLowerInvariant(),
        ["notBefore"] = new DateTimeOffset(certificate.NotBefore.ToUniversalTime()).ToUnixTimeSeconds(),
        ["notAfter"] = new DateTimeOffset(certificate.NotAfter.ToUniversalTime()).ToUnixTimeSeconds(),
        ["thumbprintSha256"] = certificate.GetCertHashString(System.Security.Cryptography.HashAlgorithmName.SHA256).ToLowerInvariant(),
    };

    public static JsonObject List(IEnumerable<JsonObject> items) => new() { ["value"] = new JsonArray(items.Cast<JsonNode>().ToArray()) };

    private static JsonArray Strings(IEnumerable<string> values) => new(values.Select(v => (JsonNode)JsonValue.Create(v)!).ToArray());
}
