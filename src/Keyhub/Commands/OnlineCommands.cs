using System.Text.Json.Nodes;

namespace Keyhub.Commands;

/// <summary>
/// Commands that talk to a running Keyhub through its management API and data plane, as the profile's
/// principal. What they may do is exactly what that principal's role assignments allow.
/// </summary>
internal static class OnlineCommands
{
    public static async Task<int> RunAsync(string noun, string verb, string[] rest)
    {
        var (positional, options) = Split(rest);
        var args = Arguments.Parse(options);
        var output = Output.From(args);
        using var client = new KeyhubApiClient(Profile.Load(args.Optional("profile")));
        var ct = CancellationToken.None;
        string Arg(int i, string what) => positional.Count > i ? positional[i] : throw new CommandLineException($"{noun} {verb} needs {what}");
        string Vault() => args.Optional("vault") ?? "hub";
        JsonNode? result;
        string[] columns;
        switch (noun, verb)
        {
            case ("vault", "create"):
                result = await client.ManagementAsync(HttpMethod.Post, "vaults", new JsonObject
                {
                    ["name"] = Arg(0, "a vault name"),
                    ["port"] = args.OptionalInt("port"),
                    ["retentionDays"] = args.OptionalInt("retention-days") ?? 90,
                    ["purgeProtection"] = args.Flag("purge-protection"),
                    ["ownerGroupId"] = args.Optional("owner-group"),
                    ["sku"] = args.Optional("sku"),
                }, ct);
                columns = ["name", "url", "sku", "retentionDays", "purgeProtection"];
                break;
            case ("vault", "list"):
                result = await client.ManagementAsync(HttpMethod.Get, "vaults", null, ct);
                columns = ["name", "url", "sku", "retentionDays", "purgeProtection"];
                break;
            case ("vault", "show"):
                result = await client.ManagementAsync(HttpMethod.Get, $"vaults/{Arg(0, "a vault name")}", null, ct);
                columns = ["name", "url", "retentionDays", "purgeProtection", "recoveryLevel"];
                break;
            case ("vault", "update"):
            {
                var body = new JsonObject { ["purgeProtection"] = args.Flag("purge-protection") ? true : null };
                // Each list given replaces the stored one; an empty value (--cert-dns-suffix "") clears it.
                if (args.Many("cert-dns-suffix") is { } suffixes)
                {
                    body["certDnsSuffixes"] = Strings(suffixes);
                }
                if (args.Many("cert-ip-range") is { } ranges)
                {
                    body["certIpRanges"] = Strings(ranges);
                }
                result = await client.ManagementAsync(HttpMethod.Patch, $"vaults/{Arg(0, "a vault name")}", body, ct);
                columns = ["name", "purgeProtection", "certDnsSuffixes", "certIpRanges"];
                break;
            }
            case ("ca", "get"):
                (result, columns) = await CaCommands.GetAsync(client, args, output, ct);
                break;
            case ("ca", "revoke"):
                result = await client.ManagementAsync(HttpMethod.Post, "ca/revocations", new JsonObject { ["serialNumber"] = Arg(0, "a serial number (hex)") }, ct);
                columns = ["serialNumber", "revoked"];
                break;
            case ("ca", "rotate"):
                result = await client.ManagementAsync(HttpMethod.Post, "ca/rotate", null, ct);
                columns = ["subject", "serialNumber", "notAfter"];
                break;
            case ("vault", "delete"):
                result = await client.ManagementAsync(HttpMethod.Delete, $"vaults/{Arg(0, "a vault name")}", null, ct);
                columns = ["name", "scheduledPurgeDate"];
                break;
            case ("vault", "recover"):
                result = await client.ManagementAsync(HttpMethod.Post, $"deletedvaults/{Arg(0, "a vault name")}/recover", null, ct);
                columns = ["name", "url"];
                break;
            case ("vault", "purge"):
                result = await client.ManagementAsync(HttpMethod.Delete, $"deletedvaults/{Arg(0, "a vault name")}", null, ct);
                columns = [];
                break;
            case ("principal", "create"):
            {
                result = await client.ManagementAsync(HttpMethod.Post, "principals", new JsonObject { ["displayName"] = args.Required("name") }, ct);
                columns = ["displayName", "objectId", "clientId", "clientSecret"];
                if (args.Optional("profile-out") is { } profileOut)
                {
                    // A ready profile for the new principal (same Keyhub, its own credentials), mode 0600.
                    var created = client.Profile with
                    {
                        ClientId = result!["clientId"]!.GetValue<string>(),
                        ClientSecret = result["clientSecret"]!.GetValue<string>(),
                    };
                    Keyhub.Core.IO.PrivateFile.WriteAtomically(
                        Path.GetFullPath(profileOut),
                        System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(created, new System.Text.Json.JsonSerializerOptions { WriteIndented = true }),
                        ownerOnly: true);
                    columns = ["displayName", "objectId", "clientId"];
                }
                break;
            }
            case ("principal", "list"):
                result = await client.ManagementAsync(HttpMethod.Get, "principals", null, ct);
                columns = ["displayName", "objectId", "clientId", "enabled"];
                break;
            case ("principal", "disable" or "enable"):
                result = await client.ManagementAsync(HttpMethod.Patch, $"principals/{Arg(0, "a client id")}", new JsonObject { ["enabled"] = verb == "enable" }, ct);
                columns = ["displayName", "clientId", "enabled"];
                break;
            case ("principal", "add-secret"):
                result = await client.ManagementAsync(HttpMethod.Post, $"principals/{Arg(0, "a client id")}/secrets", new JsonObject { ["expiresInDays"] = args.OptionalInt("expires-in-days") }, ct);
                columns = ["id", "clientSecret", "expires"];
                break;
            case ("principal", "add-certificate"):
                result = await client.ManagementAsync(HttpMethod.Post, $"principals/{Arg(0, "a client id")}/certificates",
                    new JsonObject { ["certificate"] = await File.ReadAllTextAsync(args.Required("cert"), ct) }, ct);
                columns = ["id", "thumbprintSha256", "notAfter"];
                break;
            case ("principal", "add-workload-credential"):
                result = await client.ManagementAsync(HttpMethod.Post, $"principals/{Arg(0, "a client id")}/workloadcredentials", null, ct);
                columns = ["id", "identityHeader"];
                break;
            case ("group", "create"):
                result = await client.ManagementAsync(HttpMethod.Post, "groups", new JsonObject { ["displayName"] = args.Required("name") }, ct);
                columns = ["displayName", "objectId"];
                break;
            case ("group", "list"):
                result = await client.ManagementAsync(HttpMethod.Get, "groups", null, ct);
                columns = ["displayName", "objectId", "members"];
                break;
            case ("group", "add-member" or "remove-member"):
                result = await client.ManagementAsync(
                    verb == "add-member" ? HttpMethod.Put : HttpMethod.Delete,
                    $"groups/{Arg(0, "a group id")}/members/{Arg(1, "a principal object id")}", null, ct);
                columns = ["displayName", "objectId", "members"];
                break;
            case ("role", "assign"):
                result = await client.ManagementAsync(HttpMethod.Post, "roleassignments", new JsonObject
                {
                    ["principalId"] = args.Required("principal"),
                    ["role"] = args.Required("role"),
                    ["scope"] = args.Required("scope"),
                }, ct);
                columns = ["id", "principalId", "roleName", "scope"];
                break;
            case ("role", "list"):
                result = await client.ManagementAsync(HttpMethod.Get, $"roleassignments?scope={Uri.EscapeDataString(args.Optional("scope") ?? "/")}", null, ct);
                columns = ["id", "principalId", "roleName", "scope"];
                break;
            case ("role", "remove"):
                result = await client.ManagementAsync(HttpMethod.Delete, $"roleassignments/{Arg(0, "an assignment id")}", null, ct);
                columns = [];
                break;
            case ("operator", "unseal"):
            {
                // The share is secret: read it from standard input unless given (scripts), never echoed back.
                var share = args.Optional("share") ?? Console.In.ReadLine()?.Trim()
                    ?? throw new CommandLineException("operator unseal needs a share (--share or one line on standard input)");
                result = await client.PublicJsonAsync(HttpMethod.Post, "unseal", new JsonObject { ["share"] = share }, ct);
                columns = ["sealed", "progress", "threshold"];
                break;
            }
            case ("operator", "rotate"):
                result = await client.ManagementAsync(HttpMethod.Post, "barrier/rotate", null, ct);
                columns = ["term"];
                break;
            case ("operator", "barrier"):
                result = await client.ManagementAsync(HttpMethod.Get, "barrier", null, ct);
                columns = ["activeTerm", "activeTermEncryptions", "lastReencryptionPass", "terms"];
                break;
            case ("operator", "reencrypt"):
                result = await client.ManagementAsync(HttpMethod.Post, "barrier/reencrypt", null, ct);
                columns = ["activeTerm", "reencrypted", "terms"];
                break;
            case ("operator", "retire-term"):
                result = await client.ManagementAsync(HttpMethod.Post, "barrier/retire", new JsonObject
                {
                    ["term"] = int.TryParse(Arg(0, "a term number"), out var retired) ? retired : throw new CommandLineException("operator retire-term needs a term number"),
                }, ct);
                columns = ["activeTerm", "terms"];
                break;
            case ("operator", "seal"):
                result = await client.ManagementAsync(HttpMethod.Post, "seal", null, ct);
                columns = ["sealed"];
                break;
            case ("operator", "seal-status"):
                result = await client.PublicJsonAsync(HttpMethod.Get, "seal", null, ct);
                columns = ["sealed", "type", "progress", "threshold", "shares"];
                break;
            case ("operator", "rotate-signing-key"):
                result = await client.ManagementAsync(HttpMethod.Post, "signingkeys/rotate", null, ct);
                columns = ["kid"];
                break;
            case ("role", "definitions"):
                result = await client.ManagementAsync(HttpMethod.Get, "roledefinitions", null, ct);
                columns = ["name", "id"];
                break;
            case ("secret", "set"):
                result = await client.VaultAsync(Vault(), HttpMethod.Put, $"secrets/{Arg(0, "a secret name")}", new JsonObject { ["value"] = Arg(1, "a value") }, ct);
                columns = ["id"];
                break;
            case ("secret", "get"):
                result = await client.VaultAsync(Vault(), HttpMethod.Get, $"secrets/{Arg(0, "a secret name")}", null, ct);
                columns = ["value"];
                break;
            case ("secret", "list"):
                result = await client.VaultAsync(Vault(), HttpMethod.Get, "secrets", null, ct);
                columns = ["id", "attributes.enabled"];
                break;
            case ("secret", "delete"):
                result = await client.VaultAsync(Vault(), HttpMethod.Delete, $"secrets/{Arg(0, "a secret name")}", null, ct);
                columns = ["recoveryId", "scheduledPurgeDate"];
                break;
            case ("key", "create"):
                result = await client.VaultAsync(Vault(), HttpMethod.Post, $"keys/{Arg(0, "a key name")}/create", new JsonObject
                {
                    ["kty"] = args.Optional("kty") ?? "RSA",
                    ["key_size"] = args.OptionalInt("size"),
                    ["crv"] = args.Optional("curve"),
                }, ct);
                columns = ["key.kid", "key.kty", "key.key_ops"];
                break;
            case ("key", "list"):
                result = await client.VaultAsync(Vault(), HttpMethod.Get, "keys", null, ct);
                columns = ["kid", "attributes.enabled"];
                break;
            case ("key", "wrap" or "unwrap"):
                result = await client.VaultAsync(Vault(), HttpMethod.Post, $"keys/{Arg(0, "a key name")}/{verb}key", new JsonObject
                {
                    ["alg"] = args.Optional("alg") ?? "RSA-OAEP-256",
                    ["value"] = args.Required("value"),
                }, ct);
                columns = ["kid", "value"];
                break;
            default:
                throw new CommandLineException($"unknown command '{noun} {verb}'");
        }
        args.RejectUnknown();
        if (columns.Length > 0)
        {
            output.Write(result, columns);
        }
        return 0;
    }

    private static JsonArray Strings(IEnumerable<string> values) => new(values.Select(v => (JsonNode)JsonValue.Create(v)).ToArray());

    /// <summary>Separates positional arguments from options and their values.</summary>
    private static (List<string> Positional, List<string> Options) Split(string[] rest)
    {
        var positional = new List<string>();
        var options = new List<string>();
        for (var i = 0; i < rest.Length; i++)
        {
            if (!rest[i].StartsWith("--", StringComparison.Ordinal))
            {
                positional.Add(rest[i]);
                continue;
            }
            options.Add(rest[i]);
            if (!rest[i].Contains('=', StringComparison.Ordinal) && !IsFlag(rest[i]) && i + 1 < rest.Length)
            {
                options.Add(rest[++i]);
            }
        }
        return (positional, options);
    }

    /// <summary>Options that take no value.</summary>
    private static bool IsFlag(string option) => option is "--purge-protection";
}
