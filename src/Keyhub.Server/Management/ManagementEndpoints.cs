using System.Text.Json;
using System.Text.Json.Nodes;
using Keyhub.Core.Authorization;
using Keyhub.Core.Errors;
using Keyhub.Core.Seal;
using Keyhub.Core.Vaults;
using Keyhub.Server.Hosting;
using Keyhub.Server.Http;

namespace Keyhub.Server.Management;

/// <summary>
/// Keyhub's own management API under <c>/keyhub/v1/</c>: vaults, principals, groups, role assignments, the workload CA.
/// Every call is authorized by management actions (never data actions): the deployment Owner manages
/// vaults without reading their data; a Data Access Administrator assigns only Key Vault data roles in its scope.
/// </summary>
internal static class ManagementEndpoints
{
    public static void MapManagementEndpoints(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/keyhub/v1");
        api.MapGet("/vaults", ListVaultsAsync);
        api.MapPost("/vaults", CreateVaultAsync);
        api.MapGet("/vaults/{name}", GetVaultAsync);
        api.MapMethods("/vaults/{name}", ["PATCH"], UpdateVaultAsync);
        api.MapDelete("/vaults/{name}", DeleteVaultAsync);
        api.MapGet("/deletedvaults", ListDeletedVaultsAsync);
        api.MapPost("/deletedvaults/{name}/recover", RecoverVaultAsync);
        api.MapDelete("/deletedvaults/{name}", PurgeVaultAsync);

        api.MapGet("/principals", ListPrincipalsAsync);
        api.MapPost("/principals", CreatePrincipalAsync);
        api.MapGet("/principals/{clientId}", GetPrincipalAsync);
        api.MapMethods("/principals/{clientId}", ["PATCH"], UpdatePrincipalAsync);
        api.MapPost("/principals/{clientId}/secrets", AddSecretAsync);
        api.MapDelete("/principals/{clientId}/secrets/{secretId}", RemoveSecretAsync);
        api.MapPost("/principals/{clientId}/certificates", AddCertificateAsync);
        api.MapPost("/principals/{clientId}/workloadcredentials", AddWorkloadCredentialAsync);

        api.MapGet("/groups", ListGroupsAsync);
        api.MapPost("/groups", CreateGroupAsync);
        api.MapGet("/groups/{id}", GetGroupAsync);
        api.MapPut("/groups/{id}/members/{principalId}", AddMemberAsync);
        api.MapDelete("/groups/{id}/members/{principalId}", RemoveMemberAsync);

        api.MapPost("/signingkeys/rotate", RotateSigningKeyAsync);
        api.MapPost("/seal", SealAsync);
        api.MapPost("/barrier/rotate", RotateBarrierAsync);
        api.MapGet("/barrier", BarrierStatusAsync);
        api.MapPost("/barrier/reencrypt", ReencryptAsync);
        api.MapPost("/barrier/retire", RetireTermAsync);

        api.MapCaEndpoints();

        api.MapGet("/roledefinitions", ListRoles);
        api.MapGet("/roleassignments", ListAssignmentsAsync);
        api.MapPost("/roleassignments", CreateAssignmentAsync);
        api.MapDelete("/roleassignments/{id}", DeleteAssignmentAsync);
        api.MapFallback(context => ProblemError.WriteAsync(context, 404, "NotFound", "The requested management resource or operation does not exist."));
    }

    private static async Task<IResult> ListVaultsAsync(HttpContext context, KeyhubRuntime runtime, VaultLifecycle vaults, AccessEvaluator access)
    {
        var caller = context.Management().Token.ObjectId;
        var visible = new List<JsonObject>();
        foreach (var vault in await runtime.Vaults.ListAsync(context.RequestAborted))
        {
            if (await access.IsManagementAllowedAsync(caller, ManagementActions.VaultsRead, Scopes.Vault(vault.Name), context.RequestAborted))
            {
                visible.Add(ManagementJson.Vault(vault, vaults.UrlOf(vault)));
            }
        }
        return JsonResponse.Ok(ManagementJson.List(visible));
    }

    private static async Task<IResult> CreateVaultAsync(HttpContext context, VaultLifecycle vaults, AccessEvaluator access, KeyhubRuntime runtime)
    {
        await AuthorizeAsync(context, ManagementActions.VaultsWrite, Scopes.Root);
        var body = await JsonBody.ReadObjectAsync(context);
        var name = JsonBody.OptionalString(body, "name") ?? throw Errors.BadParameter("'name' is required.");
        Names.ValidateVault(name);
        var ownerGroupId = JsonBody.OptionalString(body, "ownerGroupId");
        if (ownerGroupId is not null)
        {
            // Delegation assigns Key Vault Administrator and Data Access Administrator on the new vault: the
            // caller must be allowed to make those assignments itself (a Vault Contributor is not).
            var caller = context.Management().Token.ObjectId;
            foreach (var role in new[] { BuiltInRoles.Administrator, BuiltInRoles.DataAccessAdministrator })
            {
                if (!await access.CanAssignAsync(caller, ManagementActions.RoleAssignmentsWrite, role, Scopes.Vault(name), context.RequestAborted))
                {
                    throw Errors.Forbidden($"The caller may not assign role '{role.Name}' at scope '{Scopes.Vault(name)}', which delegating a vault does.", "AuthorizationFailed");
                }
            }
        }
        var sku = JsonBody.OptionalString(body, "sku")?.ToLowerInvariant() switch
        {
            null or VaultProperties.StandardSku => VaultProperties.StandardSku,
            VaultProperties.PremiumSku when runtime.Hsm is null =>
                throw Errors.BadParameter("Premium (HSM-backed) vaults need a deployment with an HSM (keyhub operator init --hsm-library …); this deployment has software keys only."),
            VaultProperties.PremiumSku => VaultProperties.PremiumSku,
            _ => throw Errors.BadParameter("'sku' is standard or premium."),
        };
        var vault = new VaultProperties
        {
            Name = name,
            Sku = sku,
            RetentionDays = JsonBody.OptionalInt(body, "retentionDays") ?? 90,
            PurgeProtection = JsonBody.OptionalBool(body, "purgeProtection") ?? false,
            Port = JsonBody.OptionalInt(body, "port"),
        };
        var created = await vaults.CreateAsync(vault, ownerGroupId, context.RequestAborted);
        return JsonResponse.Ok(ManagementJson.Vault(created, vaults.UrlOf(created)), 201);
    }

    private static async Task<IResult> GetVaultAsync(HttpContext context, string name, KeyhubRuntime runtime, VaultLifecycle vaults)
    {
        Names.ValidateVault(name);
        await AuthorizeAsync(context, ManagementActions.VaultsRead, Scopes.Vault(name));
        var vault = await runtime.Vaults.GetAsync(name, context.RequestAborted) ?? throw Errors.NotFound("VaultNotFound", $"Vault {name} was not found.");
        return JsonResponse.Ok(ManagementJson.Vault(vault, vaults.UrlOf(vault)));
    }

    private static async Task<IResult> UpdateVaultAsync(HttpContext context, string name, VaultLifecycle vaults)
    {
        Names.ValidateVault(name);
        await AuthorizeAsync(context, ManagementActions.VaultsWrite, Scopes.Vault(name));
        var body = await JsonBody.ReadObjectAsync(context);
        if (body.TryGetProperty("retentionDays", out _))
        {
            throw Errors.BadParameter("Soft-delete retention is fixed when a vault is created.");
        }
        var update = new VaultUpdate
        {
            PurgeProtection = JsonBody.OptionalBool(body, "purgeProtection"),
            CertDnsSuffixes = CaEndpoints.OptionalStrings(body, "certDnsSuffixes"),
            CertIpRanges = CaEndpoints.OptionalStrings(body, "certIpRanges"),
        };
        if (update.CertDnsSuffixes is not null || update.CertIpRanges is not null)
        {
            // The workload CA's allow-list is the deployment Owner's to set, not every vault writer's.
            await AuthorizeAsync(context, ManagementActions.CaNamesWrite, Scopes.Vault(name));
        }
        var updated = await vaults.UpdateAsync(name, update, context.RequestAborted);
        return JsonResponse.Ok(ManagementJson.Vault(updated, vaults.UrlOf(updated)));
    }

    private static async Task<IResult> DeleteVaultAsync(HttpContext context, string name, VaultLifecycle vaults)
    {
        Names.ValidateVault(name);
        await AuthorizeAsync(context, ManagementActions.VaultsDelete, Scopes.Vault(name));
        var deleted = await vaults.DeleteAsync(name, context.RequestAborted);
        return JsonResponse.Ok(ManagementJson.DeletedVault(deleted, ""));
    }

    private static async Task<IResult> ListDeletedVaultsAsync(HttpContext context, KeyhubRuntime runtime)
    {
        await AuthorizeAsync(context, ManagementActions.VaultsRead, Scopes.Root);
        var deleted = await runtime.Vaults.ListDeletedAsync(context.RequestAborted);
        return JsonResponse.Ok(ManagementJson.List(deleted.Select(d => ManagementJson.DeletedVault(d, ""))));
    }

    private static async Task<IResult> RecoverVaultAsync(HttpContext context, string name, VaultLifecycle vaults)
    {
        Names.ValidateVault(name);
        await AuthorizeAsync(context, ManagementActions.VaultsRecover, Scopes.Vault(name));
        var recovered = await vaults.RecoverAsync(name, context.RequestAborted);
        return JsonResponse.Ok(ManagementJson.Vault(recovered, vaults.UrlOf(recovered)));
    }

    private static async Task<IResult> PurgeVaultAsync(HttpContext context, string name, VaultLifecycle vaults)
    {
        Names.ValidateVault(name);
        await AuthorizeAsync(context, ManagementActions.VaultsPurge, Scopes.Vault(name));
        await vaults.PurgeAsync(name, context.RequestAborted);
        return Results.NoContent();
    }

    private static async Task<IResult> ListPrincipalsAsync(HttpContext context, KeyhubRuntime runtime)
    {
        await AuthorizeAsync(context, ManagementActions.PrincipalsRead, Scopes.Root);
        var principals = await runtime.Principals.ListAsync(context.RequestAborted);
        return JsonResponse.Ok(ManagementJson.List(principals.Select(ManagementJson.Principal)));
    }

    /// <summary>Creates a principal; its first client secret is in this response only.</summary>
    private static async Task<IResult> CreatePrincipalAsync(HttpContext context, KeyhubRuntime runtime)
    {
        await AuthorizeAsync(context, ManagementActions.PrincipalsWrite, Scopes.Root);
        var body = await JsonBody.ReadObjectAsync(context);
        var (principal, secret) = await runtime.Principals.AddAsync(
            JsonBody.OptionalString(body, "displayName") ?? throw Errors.BadParameter("'displayName' is required."),
            context.RequestAborted);
        var json = ManagementJson.Principal(principal);
        json["clientSecret"] = secret;
        context.Response.Headers.CacheControl = "no-store";
        return JsonResponse.Ok(json, 201);
    }

    private static async Task<IResult> GetPrincipalAsync(HttpContext context, string clientId, KeyhubRuntime runtime)
    {
        await AuthorizeAsync(context, ManagementActions.PrincipalsRead, Scopes.Root);
        var principal = await runtime.Principals.GetByClientIdAsync(clientId, context.RequestAborted)
            ?? throw Errors.NotFound("PrincipalNotFound", $"No service principal has client id {clientId}.");
        return JsonResponse.Ok(ManagementJson.Principal(principal));
    }

    private static async Task<IResult> UpdatePrincipalAsync(HttpContext context, string clientId, KeyhubRuntime runtime)
    {
        await AuthorizeAsync(context, ManagementActions.PrincipalsWrite, Scopes.Root);
        var body = await JsonBody.ReadObjectAsync(context);
        var enabled = JsonBody.OptionalBool(body, "enabled") ?? throw Errors.BadParameter("'enabled' is required.");
        var principal = await runtime.Principals.SetEnabledAsync(clientId, enabled, context.RequestAborted);
        return JsonResponse.Ok(ManagementJson.Principal(principal));
    }

    private static async Task<IResult> AddSecretAsync(HttpContext context, string clientId, KeyhubRuntime runtime, TimeProvider time)
    {
        await AuthorizeAsync(context, ManagementActions.PrincipalsWrite, Scopes.Root);
        var body = await JsonBody.ReadObjectAsync(context);
        var days = JsonBody.OptionalInt(body, "expiresInDays");
        if (days is < 1 or > 3650)
        {
            throw Errors.BadParameter("'expiresInDays' must be from 1 to 3650.");
        }
        DateTimeOffset? expires = days is { } d ? time.GetUtcNow().AddDays(d) : null;
        var (credential, secret) = await runtime.Principals.AddSecretAsync(clientId, expires, context.RequestAborted);
        context.Response.Headers.CacheControl = "no-store";
        return JsonResponse.Ok(new JsonObject { ["id"] = credential.Id, ["clientSecret"] = secret, ["expires"] = credential.Expires?.ToUnixTimeSeconds() }, 201);
    }

    /// <summary>Registers a certificate (PEM, public part only) whose key signs the principal's client assertions.</summary>
    private static async Task<IResult> AddCertificateAsync(HttpContext context, string clientId, KeyhubRuntime runtime)
    {
        await AuthorizeAsync(context, ManagementActions.PrincipalsWrite, Scopes.Root);
        var body = await JsonBody.ReadObjectAsync(context);
        var pem = JsonBody.OptionalString(body, "certificate") ?? throw Errors.BadParameter("'certificate' (PEM) is required.");
        System.Security.Cryptography.X509Certificates.X509Certificate2 certificate;
        try
        {
            certificate = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(pem);
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            throw Errors.BadParameter("'certificate' is not a PEM certificate.");
        }
        using (certificate)
        {
            var record = await runtime.Principals.AddCertificateAsync(clientId, certificate, context.RequestAborted);
            return JsonResponse.Ok(new JsonObject
            {
                ["id"] = record.Id,
                ["thumbprintSha256"] = record.ThumbprintSha256,
                ["notAfter"] = record.NotAfter.ToUnixTimeSeconds(),
            }, 201);
        }
    }

    /// <summary>A workload credential for the managed-identity endpoint (its X-IDENTITY-HEADER value), shown once.</summary>
    private static async Task<IResult> AddWorkloadCredentialAsync(HttpContext context, string clientId, KeyhubRuntime runtime)
    {
        await AuthorizeAsync(context, ManagementActions.PrincipalsWrite, Scopes.Root);
        var (id, header) = await runtime.Principals.AddWorkloadCredentialAsync(clientId, context.RequestAborted);
        context.Response.Headers.CacheControl = "no-store";
        return JsonResponse.Ok(new JsonObject { ["id"] = id, ["identityHeader"] = header }, 201);
    }

    private static async Task<IResult> RemoveSecretAsync(HttpContext context, string clientId, string secretId, KeyhubRuntime runtime)
    {
        await AuthorizeAsync(context, ManagementActions.PrincipalsWrite, Scopes.Root);
        await runtime.Principals.RemoveSecretAsync(clientId, secretId, context.RequestAborted);
        return Results.NoContent();
    }

    private static async Task<IResult> ListGroupsAsync(HttpContext context, KeyhubRuntime runtime)
    {
        await AuthorizeAsync(context, ManagementActions.GroupsRead, Scopes.Root);
        return JsonResponse.Ok(ManagementJson.List((await runtime.Groups.ListAsync(context.RequestAborted)).Select(ManagementJson.Group)));
    }

    private static async Task<IResult> CreateGroupAsync(HttpContext context, KeyhubRuntime runtime)
    {
        await AuthorizeAsync(context, ManagementActions.GroupsWrite, Scopes.Root);
        var body = await JsonBody.ReadObjectAsync(context);
        var group = await runtime.Groups.AddAsync(
            JsonBody.OptionalString(body, "displayName") ?? throw Errors.BadParameter("'displayName' is required."),
            context.RequestAborted);
        return JsonResponse.Ok(ManagementJson.Group(group), 201);
    }

    private static async Task<IResult> GetGroupAsync(HttpContext context, string id, KeyhubRuntime runtime)
    {
        await AuthorizeAsync(context, ManagementActions.GroupsRead, Scopes.Root);
        var group = await runtime.Groups.GetAsync(id, context.RequestAborted) ?? throw Errors.NotFound("GroupNotFound", $"No group has object id {id}.");
        return JsonResponse.Ok(ManagementJson.Group(group));
    }

    private static async Task<IResult> AddMemberAsync(HttpContext context, string id, string principalId, KeyhubRuntime runtime)
    {
        await AuthorizeAsync(context, ManagementActions.GroupsWrite, Scopes.Root);
        // Assignments are resolved through direct membership only (AccessEvaluator), so a group inside a
        // group would be accepted yet grant nothing: members are service principals.
        if (!(await runtime.Principals.ListAsync(context.RequestAborted)).Any(p => p.ObjectId == principalId))
        {
            throw Errors.BadParameter($"No service principal has object id {principalId}; a group's members are service principals.");
        }
        return JsonResponse.Ok(ManagementJson.Group(await runtime.Groups.AddMemberAsync(id, principalId, context.RequestAborted)));
    }

    private static async Task<IResult> RemoveMemberAsync(HttpContext context, string id, string principalId, KeyhubRuntime runtime)
    {
        await AuthorizeAsync(context, ManagementActions.GroupsWrite, Scopes.Root);
        return JsonResponse.Ok(ManagementJson.Group(await runtime.Groups.RemoveMemberAsync(id, principalId, context.RequestAborted)));
    }

    /// <summary>
    /// A new token-signing key; the previous one stays in the JWKS, and keeps validating, until the
    /// tokens it signed have expired.
    /// </summary>
    private static async Task<IResult> RotateSigningKeyAsync(HttpContext context, KeyhubRuntime runtime, Keyhub.Core.Identity.TokenService tokens)
    {
        await AuthorizeAsync(context, ManagementActions.SigningKeysRotate, Scopes.Root);
        await runtime.SigningKeys.RotateAsync(tokens.Options.Lifetime + Keyhub.Core.Identity.TokenService.ClockSkew, context.RequestAborted);
        var keys = await runtime.SigningKeys.LoadAllAsync(context.RequestAborted);
        tokens.ReplaceKeys(keys);
        return JsonResponse.Ok(ManagementJson.List(keys.Select(k => new JsonObject { ["kid"] = k.KeyId })), 200);
    }

    private static async Task<IResult> SealAsync(HttpContext context, KeyhubServerOptions options, SealSwitch seal)
    {
        await AuthorizeAsync(context, ManagementActions.Seal, Scopes.Root);
        if (options.Seal is null)
        {
            throw Keyhub.Core.Errors.Errors.BadParameter("This deployment is sealed with a key file, which unseals it again at once; only a deployment sealed with Shamir shares or an HSM can be sealed while running.");
        }
        seal.Request();
        return JsonResponse.Ok(new JsonObject { ["sealed"] = true }, 202);
    }

    private static async Task<IResult> RotateBarrierAsync(HttpContext context, KeyhubRuntime runtime)
    {
        await AuthorizeAsync(context, ManagementActions.BarrierRotate, Scopes.Root);
        var term = await runtime.Seal.RotateBarrierAsync(context.RequestAborted);
        return JsonResponse.Ok(new JsonObject { ["term"] = term }, 200);
    }

    private static async Task<IResult> BarrierStatusAsync(HttpContext context, KeyhubRuntime runtime)
    {
        await AuthorizeAsync(context, ManagementActions.BarrierRead, Scopes.Root);
        return JsonResponse.Ok(ManagementJson.Barrier(runtime.Seal.Status()));
    }

    /// <summary>Runs a whole re-encryption pass now instead of waiting for the background one.</summary>
    private static async Task<IResult> ReencryptAsync(HttpContext context, KeyhubRuntime runtime)
    {
        await AuthorizeAsync(context, ManagementActions.BarrierRotate, Scopes.Root);
        var pass = await runtime.Seal.ReencryptToEndAsync(BarrierService.PageSize, context.RequestAborted);
        var status = ManagementJson.Barrier(runtime.Seal.Status());
        status["reencrypted"] = pass.Reencrypted;
        status["unreadable"] = pass.Unreadable;
        return JsonResponse.Ok(status);
    }

    private static async Task<IResult> RetireTermAsync(HttpContext context, KeyhubRuntime runtime)
    {
        await AuthorizeAsync(context, ManagementActions.BarrierRetire, Scopes.Root);
        var body = await JsonBody.ReadObjectAsync(context);
        var term = JsonBody.OptionalInt(body, "term") is { } value and > 0 ? (uint)value : throw Errors.BadParameter("'term' (a positive number) is required.");
        await runtime.Seal.RetireTermAsync(term, context.RequestAborted);
        return JsonResponse.Ok(ManagementJson.Barrier(runtime.Seal.Status()));
    }

    private static IResult ListRoles() => JsonResponse.Ok(ManagementJson.List(BuiltInRoles.All.Select(ManagementJson.Role)));

    /// <summary>Assignments at or below <c>?scope=</c> (default <c>/</c>), for a caller who may read assignments there.</summary>
    private static async Task<IResult> ListAssignmentsAsync(HttpContext context, KeyhubRuntime runtime)
    {
        var scope = Scopes.Parse(context.Request.Query["scope"].FirstOrDefault() ?? Scopes.Root);
        await AuthorizeAsync(context, ManagementActions.RoleAssignmentsRead, scope);
        var assignments = await runtime.RoleAssignments.ListAsync(context.RequestAborted);
        return JsonResponse.Ok(ManagementJson.List(assignments.Where(a => Scopes.Encloses(scope, a.Scope)).Select(ManagementJson.Assignment)));
    }

    private static async Task<IResult> CreateAssignmentAsync(HttpContext context, KeyhubRuntime runtime, AccessEvaluator access)
    {
        var body = await JsonBody.ReadObjectAsync(context);
        var principalId = JsonBody.OptionalString(body, "principalId") ?? throw Errors.BadParameter("'principalId' is required.");
        var roleName = JsonBody.OptionalString(body, "role") ?? throw Errors.BadParameter("'role' (a role name or id) is required.");
        var role = BuiltInRoles.Find(roleName) ?? throw Errors.BadParameter($"Unknown role '{roleName}'.");
        var scope = Scopes.Parse(JsonBody.OptionalString(body, "scope") ?? throw Errors.BadParameter("'scope' is required."));
        var caller = context.Management().Token.ObjectId;
        if (!await access.CanAssignAsync(caller, ManagementActions.RoleAssignmentsWrite, role, scope, context.RequestAborted))
        {
            throw Errors.Forbidden($"The caller may not assign role '{role.Name}' at scope '{scope}'.", "AuthorizationFailed");
        }
        await RequirePrincipalAsync(runtime, principalId, context.RequestAborted);
        var assignment = await runtime.RoleAssignments.AddAsync(principalId, role.Id, scope, context.RequestAborted);
        return JsonResponse.Ok(ManagementJson.Assignment(assignment), 201);
    }

    private static async Task<IResult> DeleteAssignmentAsync(HttpContext context, string id, KeyhubRuntime runtime, AccessEvaluator access)
    {
        var assignment = await runtime.RoleAssignments.GetAsync(id, context.RequestAborted)
            ?? throw Errors.NotFound("RoleAssignmentNotFound", $"No role assignment has id {id}.");
        var role = BuiltInRoles.All.First(r => r.Id == assignment.RoleDefinitionId);
        var caller = context.Management().Token.ObjectId;
        if (!await access.CanAssignAsync(caller, ManagementActions.RoleAssignmentsDelete, role, assignment.Scope, context.RequestAborted))
        {
            throw Errors.Forbidden($"The caller may not remove role '{role.Name}' at scope '{assignment.Scope}'.", "AuthorizationFailed");
        }
        await runtime.RoleAssignments.RemoveAsync(id, context.RequestAborted);
        return Results.NoContent();
    }

    internal static async Task AuthorizeAsync(HttpContext context, string action, string scope)
    {
        var access = context.RequestServices.GetRequiredService<AccessEvaluator>();
        var caller = context.Management().Token;
        if (!await access.IsManagementAllowedAsync(caller.ObjectId, action, scope, context.RequestAborted))
        {
            throw Errors.Forbidden($"The caller (oid={caller.ObjectId}) may not perform '{action}' at scope '{scope}'.", "AuthorizationFailed");
        }
    }

    /// <summary>Assignments and memberships reference existing principals or groups by object id.</summary>
    private static async Task RequirePrincipalAsync(KeyhubRuntime runtime, string objectId, CancellationToken cancellationToken)
    {
        if (await runtime.Groups.GetAsync(objectId, cancellationToken) is not null)
        {
            return;
        }
        var principals = await runtime.Principals.ListAsync(cancellationToken);
        if (!principals.Any(p => p.ObjectId == objectId))
        {
            throw Errors.BadParameter($"No principal or group has object id {objectId}.");
        }
    }
}
