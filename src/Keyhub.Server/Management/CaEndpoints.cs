using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Keyhub.Core.Authorization;
using Keyhub.Core.Ca;
using Keyhub.Core.Errors;
using Keyhub.Server.Http;

namespace Keyhub.Server.Management;

/// <summary>
/// The workload CA under <c>/keyhub/v1/ca</c>. The chain and the CRL are public — relying parties and
/// TLS libraries fetch them without a Keyhub token (DataPlaneMiddleware lets exactly those two GETs
/// through unauthenticated); revoking and rotating are the deployment Owner's.
/// </summary>
internal static class CaEndpoints
{
    public const string ChainPath = "/keyhub/v1/ca";
    public const string CrlPath = "/keyhub/v1/ca/crl";

    public static void MapCaEndpoints(this RouteGroupBuilder api)
    {
        api.MapGet("/ca", GetChainAsync);
        api.MapGet("/ca/crl", GetCrlAsync);
        api.MapPost("/ca/revocations", RevokeAsync);
        api.MapPost("/ca/rotate", RotateAsync);
    }

    /// <summary>Whether a request is one of the two public CA reads (exact method and path).</summary>
    public static bool IsPublicRead(HttpRequest request) =>
        HttpMethods.IsGet(request.Method) && request.Path.Value is ChainPath or CrlPath;

    /// <summary>A JSON array of strings, or null when absent (leave unchanged); <c>[]</c> clears.</summary>
    public static IReadOnlyList<string>? OptionalStrings(JsonElement obj, string name)
    {
        if (!obj.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        if (value.ValueKind != JsonValueKind.Array || value.EnumerateArray().Any(v => v.ValueKind != JsonValueKind.String))
        {
            throw Errors.BadParameter($"'{name}' must be an array of strings.");
        }
        if (value.GetArrayLength() > CertificateNameRules.MaxEntries)
        {
            throw Errors.BadParameter($"'{name}' has more than {CertificateNameRules.MaxEntries} entries.");
        }
        return value.EnumerateArray().Select(v => v.GetString()!).ToList();
    }

    /// <summary>The chain as PEM, intermediate first, then the root to trust.</summary>
    private static async Task<IResult> GetChainAsync(WorkloadCa ca, CancellationToken cancellationToken)
    {
        var chain = await ca.ChainAsync(cancellationToken);
        var pem = new StringBuilder();
        foreach (var der in chain)
        {
            pem.Append(PemEncoding.WriteString("CERTIFICATE", der)).Append('\n');
        }
        return Results.Text(pem.ToString(), "application/x-pem-file", Encoding.ASCII);
    }

    private static async Task<IResult> GetCrlAsync(WorkloadCa ca, CancellationToken cancellationToken) =>
        Results.Bytes(await ca.CrlAsync(cancellationToken), "application/pkix-crl");

    private static async Task<IResult> RevokeAsync(HttpContext context, WorkloadCa ca)
    {
        await ManagementEndpoints.AuthorizeAsync(context, ManagementActions.CaRevoke, Scopes.Root);
        var body = await JsonBody.ReadObjectAsync(context);
        var serial = JsonBody.OptionalString(body, "serialNumber") ?? throw Errors.BadParameter("'serialNumber' (hex) is required.");
        await ca.RevokeAsync(serial, context.RequestAborted);
        return JsonResponse.Ok(new JsonObject { ["serialNumber"] = serial, ["revoked"] = true });
    }

    /// <summary>A new issuing intermediate; answers with the new chain.</summary>
    private static async Task<IResult> RotateAsync(HttpContext context, WorkloadCa ca)
    {
        await ManagementEndpoints.AuthorizeAsync(context, ManagementActions.CaRotate, Scopes.Root);
        await ca.RotateIntermediateAsync(context.RequestAborted);
        var chain = await ca.ChainAsync(context.RequestAborted);
        var described = new List<JsonObject>();
        foreach (var der in chain)
        {
            using var certificate = X509CertificateLoader.LoadCertificate(der);
            described.Add(ManagementJson.CaCertificate(certificate));
        }
        return JsonResponse.Ok(ManagementJson.List(described));
    }
}
