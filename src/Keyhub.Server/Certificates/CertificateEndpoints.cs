using System.Buffers.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Keyhub.Core.Authorization;
using Keyhub.Core.Certificates;
using Keyhub.Core.Errors;
using Keyhub.Server.Http;

namespace Keyhub.Server.Certificates;

/// <summary>The certificates data plane (docs/certificates-wire.md §1). Each operation maps to exactly one data action.</summary>
internal static class CertificateEndpoints
{
    public static void MapCertificateEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/certificates", ListAsync);
        app.MapGet("/certificates/issuers", ListIssuersAsync);
        app.MapGet("/certificates/issuers/{issuer}", GetIssuerAsync);
        app.MapPut("/certificates/issuers/{issuer}", SetIssuerAsync);
        app.MapMethods("/certificates/issuers/{issuer}", ["PATCH"], UpdateIssuerAsync);
        app.MapDelete("/certificates/issuers/{issuer}", DeleteIssuerAsync);
        app.MapGet("/certificates/contacts", GetContactsAsync);
        app.MapPut("/certificates/contacts", SetContactsAsync);
        app.MapDelete("/certificates/contacts", DeleteContactsAsync);
        app.MapPost("/certificates/restore", RestoreAsync);
        app.MapPost("/certificates/{name}/create", CreateAsync);
        app.MapPost("/certificates/{name}/import", ImportAsync);
        app.MapGet("/certificates/{name}/pending", GetOperationAsync);
        app.MapMethods("/certificates/{name}/pending", ["PATCH"], CancelOperationAsync);
        app.MapDelete("/certificates/{name}/pending", DeleteOperationAsync);
        app.MapPost("/certificates/{name}/pending/merge", MergeAsync);
        app.MapGet("/certificates/{name}/policy", GetPolicyAsync);
        app.MapMethods("/certificates/{name}/policy", ["PATCH"], UpdatePolicyAsync);
        app.MapGet("/certificates/{name}/versions", ListVersionsAsync);
        app.MapPost("/certificates/{name}/backup", BackupAsync);
        app.MapGet("/certificates/{name}/{version?}", GetAsync);
        app.MapMethods("/certificates/{name}/{version?}", ["PATCH"], UpdateAsync);
        app.MapDelete("/certificates/{name}", DeleteAsync);
        app.MapGet("/deletedcertificates", ListDeletedAsync);
        app.MapGet("/deletedcertificates/{name}", GetDeletedAsync);
        app.MapDelete("/deletedcertificates/{name}", PurgeAsync);
        app.MapPost("/deletedcertificates/{name}/recover", RecoverAsync);
    }

    private static async Task<IResult> CreateAsync(HttpContext context, string name, CertificateEngine engine)
    {
        var state = await AuthorizeObjectAsync(context, name, DataActions.CertificatesCreate);
        var body = await JsonBody.ReadObjectAsync(context);
        var request = new NewCertificate
        {
            Policy = ReadPolicy(body),
            Tags = JsonBody.OptionalTags(body),
            Enabled = JsonBody.OptionalObject(body, "attributes") is { } attributes ? JsonBody.OptionalBool(attributes, "enabled") : null,
        };
        var operation = await engine.CreateAsync(state.Vault, name, request, context.RequestAborted);
        context.Response.Headers.Location = $"{state.Origin}/certificates/{name}/pending?api-version={state.ApiVersion}&request_id={operation.RequestId}";
        return JsonResponse.Ok(status: 202, body: CertificateJson.Operation(state.Origin, operation));
    }

    private static async Task<IResult> ImportAsync(HttpContext context, string name, CertificateEngine engine)
    {
        var state = await AuthorizeObjectAsync(context, name, DataActions.CertificatesImport);
        var body = await JsonBody.ReadObjectAsync(context);
        var value = JsonBody.OptionalString(body, "value") ?? throw Errors.BadParameter("The certificate to import ('value') is required.");
        var request = new CertificateImport(value)
        {
            Password = JsonBody.OptionalString(body, "pwd"),
            Policy = ReadPolicy(body),
            Tags = JsonBody.OptionalTags(body),
            Enabled = JsonBody.OptionalObject(body, "attributes") is { } attributes ? JsonBody.OptionalBool(attributes, "enabled") : null,
        };
        var imported = await engine.ImportAsync(state.Vault, name, request, context.RequestAborted);
        return Json(CertificateJson.Bundle(state.Origin, state.Vault, imported));
    }

    private static async Task<IResult> GetAsync(HttpContext context, string name, string? version, CertificateEngine engine)
    {
        var state = await AuthorizeObjectAsync(context, name, DataActions.CertificatesRead);
        var certificate = await engine.GetAsync(state.Vault, name, version, context.RequestAborted);
        return Json(CertificateJson.Bundle(state.Origin, state.Vault, certificate));
    }

    private static async Task<IResult> UpdateAsync(HttpContext context, string name, string? version, CertificateEngine engine)
    {
        var state = await AuthorizeObjectAsync(context, name, DataActions.CertificatesUpdate);
        var body = await JsonBody.ReadObjectAsync(context);
        var update = new CertificateUpdate
        {
            Tags = JsonBody.OptionalTags(body),
            Enabled = JsonBody.OptionalObject(body, "attributes") is { } attributes ? JsonBody.OptionalBool(attributes, "enabled") : null,
            Policy = ReadPolicy(body),
        };
        var updated = await engine.UpdateAsync(state.Vault, name, version, update, context.RequestAborted);
        return Json(CertificateJson.Bundle(state.Origin, state.Vault, updated));
    }

    private static async Task<IResult> ListAsync(HttpContext context, CertificateEngine engine)
    {
        var state = await Endpoints.AuthorizeVaultAsync(context, DataActions.CertificatesRead);
        var (limit, after) = Paging.Read(context);
        var includePending = context.Request.Query["includePending"].ToString() switch
        {
            "" or "false" or "False" => false,
            "true" or "True" => true,
            _ => throw Errors.BadParameter("includePending must be true or false."),
        };
        var page = await engine.ListAsync(state.Vault, after, limit, includePending, context.RequestAborted);
        return Endpoints.List(context, page.Items.Select(c => CertificateJson.Item(state.Origin, state.Vault, c, withVersion: false)), page.ContinueAfter, limit);
    }

    private static async Task<IResult> ListVersionsAsync(HttpContext context, string name, CertificateEngine engine)
    {
        var state = await AuthorizeObjectAsync(context, name, DataActions.CertificatesRead);
        var (limit, after) = Paging.Read(context);
        var page = await engine.ListVersionsAsync(state.Vault, name, after, limit, context.RequestAborted);
        return Endpoints.List(context, page.Items.Select(c => CertificateJson.Item(state.Origin, state.Vault, c, withVersion: true)), page.ContinueAfter, limit);
    }

    private static async Task<IResult> GetPolicyAsync(HttpContext context, string name, CertificateEngine engine)
    {
        var state = await AuthorizeObjectAsync(context, name, DataActions.CertificatesRead);
        var policy = await engine.GetPolicyAsync(state.Vault, name, context.RequestAborted);
        return Json(CertificateJson.Policy(state.Origin, name, policy));
    }

    private static async Task<IResult> UpdatePolicyAsync(HttpContext context, string name, CertificateEngine engine)
    {
        var state = await AuthorizeObjectAsync(context, name, DataActions.CertificatesUpdate);
        var body = await JsonBody.ReadObjectAsync(context);
        var policy = await engine.UpdatePolicyAsync(state.Vault, name, ReadPolicyObject(body), context.RequestAborted);
        return Json(CertificateJson.Policy(state.Origin, name, policy));
    }

    private static async Task<IResult> GetOperationAsync(HttpContext context, string name, CertificateEngine engine)
    {
        var state = await AuthorizeObjectAsync(context, name, DataActions.CertificatesRead);
        var requestId = context.Request.Query["request_id"].FirstOrDefault();
        var operation = await engine.GetOperationAsync(state.Vault, name, requestId, context.RequestAborted);
        return Json(CertificateJson.Operation(state.Origin, operation));
    }

    private static async Task<IResult> CancelOperationAsync(HttpContext context, string name, CertificateEngine engine)
    {
        var state = await AuthorizeObjectAsync(context, name, DataActions.CertificatesUpdate);
        var body = await JsonBody.ReadObjectAsync(context);
        if (JsonBody.OptionalBool(body, "cancellation_requested") != true)
        {
            throw Errors.BadParameter("'cancellation_requested' must be true.");
        }
        var operation = await engine.CancelOperationAsync(state.Vault, name, context.RequestAborted);
        return Json(CertificateJson.Operation(state.Origin, operation));
    }

    private static async Task<IResult> DeleteOperationAsync(HttpContext context, string name, CertificateEngine engine)
    {
        var state = await AuthorizeObjectAsync(context, name, DataActions.CertificatesUpdate);
        var operation = await engine.DeleteOperationAsync(state.Vault, name, context.RequestAborted);
        return Json(CertificateJson.Operation(state.Origin, operation));
    }

    private static async Task<IResult> MergeAsync(HttpContext context, string name, CertificateEngine engine)
    {
        var state = await AuthorizeObjectAsync(context, name, DataActions.CertificatesCreate);
        var body = await JsonBody.ReadObjectAsync(context);
        if (!body.TryGetProperty("x5c", out var x5c) || x5c.ValueKind != JsonValueKind.Array)
        {
            throw Errors.BadParameter("'x5c' (the signed certificate, then its chain, base64 DER) is required.");
        }
        var chain = new List<byte[]>();
        foreach (var entry in x5c.EnumerateArray())
        {
            if (entry.ValueKind != JsonValueKind.String || !TryBase64(entry.GetString()!, out var der))
            {
                throw Errors.BadParameter("Each x5c entry is a base64 DER certificate.");
            }
            chain.Add(der);
        }
        var merged = await engine.MergeAsync(
            state.Vault, name, chain, JsonBody.OptionalTags(body),
            JsonBody.OptionalObject(body, "attributes") is { } attributes ? JsonBody.OptionalBool(attributes, "enabled") : null,
            context.RequestAborted);
        context.Response.Headers.Location = $"{state.Origin}/certificates/{name}?api-version={state.ApiVersion}";
        return JsonResponse.Ok(status: 201, body: CertificateJson.Bundle(state.Origin, state.Vault, merged));
    }

    private static async Task<IResult> DeleteAsync(HttpContext context, string name, CertificateEngine engine)
    {
        var state = await AuthorizeObjectAsync(context, name, DataActions.CertificatesDelete);
        var deleted = await engine.DeleteAsync(state.Vault, name, context.RequestAborted);
        return Json(CertificateJson.Deleted(state.Origin, state.Vault, deleted, bundle: true));
    }

    private static async Task<IResult> ListDeletedAsync(HttpContext context, CertificateEngine engine)
    {
        var state = await Endpoints.AuthorizeVaultAsync(context, DataActions.CertificatesRead);
        var (limit, after) = Paging.Read(context);
        var page = await engine.ListDeletedAsync(state.Vault, after, limit, context.RequestAborted);
        return Endpoints.List(context, page.Items.Select(d => CertificateJson.Deleted(state.Origin, state.Vault, d, bundle: false)), page.ContinueAfter, limit);
    }

    private static async Task<IResult> GetDeletedAsync(HttpContext context, string name, CertificateEngine engine)
    {
        var state = await AuthorizeObjectAsync(context, name, DataActions.CertificatesRead);
        var deleted = await engine.GetDeletedAsync(state.Vault, name, context.RequestAborted);
        return Json(CertificateJson.Deleted(state.Origin, state.Vault, deleted, bundle: true));
    }

    private static async Task<IResult> PurgeAsync(HttpContext context, string name, CertificateEngine engine)
    {
        var state = await AuthorizeObjectAsync(context, name, DataActions.CertificatesPurge);
        await engine.PurgeAsync(state.Vault, name, context.RequestAborted);
        return Results.NoContent();
    }

    private static async Task<IResult> RecoverAsync(HttpContext context, string name, CertificateEngine engine)
    {
        var state = await AuthorizeObjectAsync(context, name, DataActions.CertificatesRecover);
        var recovered = await engine.RecoverAsync(state.Vault, name, context.RequestAborted);
        return Json(CertificateJson.Bundle(state.Origin, state.Vault, recovered));
    }

    private static async Task<IResult> BackupAsync(HttpContext context, string name, CertificateEngine engine)
    {
        var state = await AuthorizeObjectAsync(context, name, DataActions.CertificatesBackup);
        var blob = await engine.BackupAsync(state.Vault, name, context.RequestAborted);
        return Json(new JsonObject { ["value"] = Base64Url.EncodeToString(blob) });
    }

    private static async Task<IResult> RestoreAsync(HttpContext context, CertificateEngine engine)
    {
        var state = await Endpoints.AuthorizeVaultAsync(context, DataActions.CertificatesRestore);
        var body = await JsonBody.ReadObjectAsync(context, JsonBody.RestoreMaxBytes);
        var blob = Endpoints.OptionalBytes(body, "value") ?? throw Errors.BadParameter("The backup blob 'value' is required.");
        var restored = await engine.RestoreAsync(state.Vault, blob, context.RequestAborted);
        return Json(CertificateJson.Bundle(state.Origin, state.Vault, restored));
    }

    // ---- issuers and contacts ----

    private static async Task<IResult> ListIssuersAsync(HttpContext context, CertificateEngine engine)
    {
        var state = await Endpoints.AuthorizeVaultAsync(context, DataActions.CertificateIssuersRead);
        var (limit, after) = Paging.Read(context);
        var page = await engine.ListIssuersAsync(state.Vault, after, limit, context.RequestAborted);
        return Endpoints.List(context, page.Items.Select(i => CertificateJson.Issuer(state.Origin, i, item: true)), page.ContinueAfter, limit);
    }

    private static async Task<IResult> GetIssuerAsync(HttpContext context, string issuer, CertificateEngine engine)
    {
        var state = await Endpoints.AuthorizeVaultAsync(context, DataActions.CertificateIssuersRead);
        return Json(CertificateJson.Issuer(state.Origin, await engine.GetIssuerAsync(state.Vault, issuer, context.RequestAborted)));
    }

    private static async Task<IResult> SetIssuerAsync(HttpContext context, string issuer, CertificateEngine engine)
    {
        var state = await Endpoints.AuthorizeVaultAsync(context, DataActions.CertificateIssuersWrite);
        var body = await JsonBody.ReadObjectAsync(context);
        var provider = JsonBody.OptionalString(body, "provider") ?? throw Errors.BadParameter("An issuer's 'provider' is required.");
        var stored = await engine.SetIssuerAsync(state.Vault, ReadIssuer(body, new CertificateIssuer { Name = issuer, Provider = provider }), context.RequestAborted);
        return Json(CertificateJson.Issuer(state.Origin, stored));
    }

    private static async Task<IResult> UpdateIssuerAsync(HttpContext context, string issuer, CertificateEngine engine)
    {
        var state = await Endpoints.AuthorizeVaultAsync(context, DataActions.CertificateIssuersWrite);
        var body = await JsonBody.ReadObjectAsync(context);
        var updated = await engine.UpdateIssuerAsync(state.Vault, issuer, current => ReadIssuer(body, current), context.RequestAborted);
        return Json(CertificateJson.Issuer(state.Origin, updated));
    }

    private static async Task<IResult> DeleteIssuerAsync(HttpContext context, string issuer, CertificateEngine engine)
    {
        var state = await Endpoints.AuthorizeVaultAsync(context, DataActions.CertificateIssuersDelete);
        return Json(CertificateJson.Issuer(state.Origin, await engine.DeleteIssuerAsync(state.Vault, issuer, context.RequestAborted)));
    }

    private static async Task<IResult> GetContactsAsync(HttpContext context, CertificateEngine engine)
    {
        var state = await Endpoints.AuthorizeVaultAsync(context, DataActions.CertificateContactsWrite);
        return Json(CertificateJson.Contacts(state.Origin, await engine.GetContactsAsync(state.Vault, context.RequestAborted)));
    }

    private static async Task<IResult> SetContactsAsync(HttpContext context, CertificateEngine engine)
    {
        var state = await Endpoints.AuthorizeVaultAsync(context, DataActions.CertificateContactsWrite);
        var body = await JsonBody.ReadObjectAsync(context);
        var contacts = new List<CertificateContact>();
        if (body.TryGetProperty("contacts", out var list) && list.ValueKind == JsonValueKind.Array)
        {
            foreach (var entry in list.EnumerateArray())
            {
                if (entry.ValueKind != JsonValueKind.Object)
                {
                    throw Errors.BadParameter("Each contact is an object {email, name, phone}.");
                }
                contacts.Add(new CertificateContact(JsonBody.OptionalString(entry, "email"), JsonBody.OptionalString(entry, "name"), JsonBody.OptionalString(entry, "phone")));
            }
        }
        else
        {
            throw Errors.BadParameter("'contacts' (an array) is required.");
        }
        return Json(CertificateJson.Contacts(state.Origin, await engine.SetContactsAsync(state.Vault, contacts, context.RequestAborted)));
    }

    private static async Task<IResult> DeleteContactsAsync(HttpContext context, CertificateEngine engine)
    {
        var state = await Endpoints.AuthorizeVaultAsync(context, DataActions.CertificateContactsWrite);
        return Json(CertificateJson.Contacts(state.Origin, await engine.DeleteContactsAsync(state.Vault, context.RequestAborted)));
    }

    // ---- request bodies ----

    private static CertificatePolicyUpdate? ReadPolicy(JsonElement body) =>
        JsonBody.OptionalObject(body, "policy") is { } policy ? ReadPolicyObject(policy) : null;

    /// <summary>A CertificatePolicy body; absent or empty members mean "default" (create) or "unchanged" (update).</summary>
    private static CertificatePolicyUpdate ReadPolicyObject(JsonElement policy)
    {
        var key = JsonBody.OptionalObject(policy, "key_props");
        var secret = JsonBody.OptionalObject(policy, "secret_props");
        var x509 = JsonBody.OptionalObject(policy, "x509_props");
        var sans = x509 is { } x ? JsonBody.OptionalObject(x, "sans") : null;
        var issuer = JsonBody.OptionalObject(policy, "issuer");
        var attributes = JsonBody.OptionalObject(policy, "attributes");
        return new CertificatePolicyUpdate
        {
            Kty = key is { } k1 ? JsonBody.OptionalString(k1, "kty") : null,
            KeySize = key is { } k2 ? JsonBody.OptionalInt(k2, "key_size") : null,
            Curve = key is { } k3 ? JsonBody.OptionalString(k3, "crv") : null,
            Exportable = key is { } k4 ? JsonBody.OptionalBool(k4, "exportable") : null,
            ReuseKey = key is { } k5 ? JsonBody.OptionalBool(k5, "reuse_key") : null,
            ContentType = secret is { } s ? JsonBody.OptionalString(s, "contentType") : null,
            Subject = x509 is { } x1 ? JsonBody.OptionalString(x1, "subject") : null,
            Ekus = x509 is { } x2 ? StringArray(x2, "ekus") : null,
            KeyUsage = x509 is { } x3 ? StringArray(x3, "key_usage") : null,
            ValidityMonths = x509 is { } x4 ? JsonBody.OptionalInt(x4, "validity_months") : null,
            DnsNames = sans is { } n1 ? StringArray(n1, "dns_names") : null,
            Emails = sans is { } n2 ? StringArray(n2, "emails") : null,
            Upns = sans is { } n3 ? StringArray(n3, "upns") : null,
            Uris = sans is { } n4 ? StringArray(n4, "uris") : null,
            IpAddresses = sans is { } n5 ? StringArray(n5, "ipAddresses") : null,
            IssuerName = issuer is { } i1 ? JsonBody.OptionalString(i1, "name") : null,
            CertificateType = issuer is { } i2 ? JsonBody.OptionalString(i2, "cty") : null,
            CertificateTransparency = issuer is { } i3 ? JsonBody.OptionalBool(i3, "cert_transparency") : null,
            LifetimeActions = LifetimeActions(policy),
            Enabled = attributes is { } a ? JsonBody.OptionalBool(a, "enabled") : null,
        };
    }

    private static List<CertificateLifetimeAction>? LifetimeActions(JsonElement policy)
    {
        if (!policy.TryGetProperty("lifetime_actions", out var list) || list.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        if (list.ValueKind != JsonValueKind.Array)
        {
            throw Errors.BadParameter("'lifetime_actions' must be an array.");
        }
        var actions = new List<CertificateLifetimeAction>();
        foreach (var entry in list.EnumerateArray())
        {
            if (entry.ValueKind != JsonValueKind.Object)
            {
                throw Errors.BadParameter("Each lifetime action is an object {trigger, action}.");
            }
            var trigger = JsonBody.OptionalObject(entry, "trigger") ?? throw Errors.BadParameter("A lifetime action needs a 'trigger'.");
            var action = JsonBody.OptionalObject(entry, "action") ?? throw Errors.BadParameter("A lifetime action needs an 'action'.");
            actions.Add(new CertificateLifetimeAction(
                JsonBody.OptionalString(action, "action_type") ?? throw Errors.BadParameter("A lifetime action needs an 'action_type'."),
                JsonBody.OptionalInt(trigger, "lifetime_percentage"),
                JsonBody.OptionalInt(trigger, "days_before_expiry")));
        }
        return actions;
    }

    private static CertificateIssuer ReadIssuer(JsonElement body, CertificateIssuer current)
    {
        var credentials = JsonBody.OptionalObject(body, "credentials");
        var org = JsonBody.OptionalObject(body, "org_details");
        var attributes = JsonBody.OptionalObject(body, "attributes");
        var admins = current.Admins;
        if (org is { } o && o.TryGetProperty("admin_details", out var list) && list.ValueKind == JsonValueKind.Array)
        {
            admins = [.. list.EnumerateArray().Select(a => a.ValueKind == JsonValueKind.Object
                ? new CertificateIssuerAdmin(JsonBody.OptionalString(a, "first_name"), JsonBody.OptionalString(a, "last_name"), JsonBody.OptionalString(a, "email"), JsonBody.OptionalString(a, "phone"))
                : throw Errors.BadParameter("Each admin_details entry is an object."))];
        }
        return current with
        {
            Provider = JsonBody.OptionalString(body, "provider") ?? current.Provider,
            AccountId = credentials is { } c1 ? JsonBody.OptionalString(c1, "account_id") ?? current.AccountId : current.AccountId,
            Password = credentials is { } c2 ? JsonBody.OptionalString(c2, "pwd") ?? current.Password : current.Password,
            OrganizationId = org is { } o1 ? JsonBody.OptionalString(o1, "id") ?? current.OrganizationId : current.OrganizationId,
            Admins = admins,
            Enabled = attributes is { } a1 ? JsonBody.OptionalBool(a1, "enabled") ?? current.Enabled : current.Enabled,
        };
    }

    private static List<string>? StringArray(JsonElement obj, string name)
    {
        if (!obj.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        if (value.ValueKind != JsonValueKind.Array || value.EnumerateArray().Any(e => e.ValueKind != JsonValueKind.String))
        {
            throw Errors.BadParameter($"'{name}' must be an array of strings.");
        }
        return value.EnumerateArray().Select(e => e.GetString()!).ToList();
    }

    private static bool TryBase64(string text, out byte[] bytes)
    {
        try
        {
            bytes = Convert.FromBase64String(text);
            return bytes.Length > 0;
        }
        catch (FormatException)
        {
            try
            {
                bytes = Base64Url.DecodeFromChars(text.TrimEnd('='));
                return bytes.Length > 0;
            }
            catch (FormatException)
            {
                bytes = [];
                return false;
            }
        }
    }

    private static Task<RequestState> AuthorizeObjectAsync(HttpContext context, string name, string dataAction) =>
        Endpoints.AuthorizeObjectAsync(context, "certificates", name, dataAction);

    private static IResult Json(JsonObject body) => JsonResponse.Ok(body);
}
