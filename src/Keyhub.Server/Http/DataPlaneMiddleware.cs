using System.Text.RegularExpressions;
using Keyhub.Core.Errors;
using Keyhub.Core.Identity;
using Keyhub.Core.Seal;
using Microsoft.AspNetCore.Http.Features;

namespace Keyhub.Server.Http;

/// <summary>
/// Every request passes here first: request id, host allow-list, then for the data plane —
/// authentication *before* anything reads the body (the SDKs' first request is bodiless and must
/// get the 401 challenge), then api-version. Errors of every kind are rendered here, once.
/// </summary>
public sealed partial class DataPlaneMiddleware(
    RequestDelegate next,
    VaultAddressing addressing,
    TokenService tokens,
    SealManager seal,
    ILogger<DataPlaneMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var requestId = Guid.NewGuid().ToString();
        context.Response.Headers["x-ms-request-id"] = requestId;
        if (context.Request.Headers.TryGetValue("x-ms-client-request-id", out var clientRequestId) && clientRequestId.ToString().Length <= 128)
        {
            context.Response.Headers["x-ms-client-request-id"] = clientRequestId.ToString();
        }
        string? principal = null;
        string? vaultName = null;
        var management = context.Request.Path.StartsWithSegments("/keyhub", StringComparison.Ordinal);
        try
        {
            var path = context.Request.Path.Value ?? "/";
            if (path is "/healthz" or "/readyz")
            {
                await next(context);
                return;
            }
            var address = addressing.Resolve(context.Request.Host.Host, context.Request.Host.Port, context.Connection.LocalPort);
            if (!address.Allowed)
            {
                Log.HostRefused(logger, context.Request.Host.Host.Length > 100 ? context.Request.Host.Host[..100] : context.Request.Host.Host, context.Connection.LocalPort, requestId);
                throw Errors.BadParameter("This host name is not served on this address.");
            }
            if (HasDotSegment(context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? path))
            {
                // Kestrel resolves "." and ".." (also percent-encoded) before routing, so "/secrets/%2e"
                // would be served as "/secrets/"; refuse them instead (security.md, path traversal).
                throw Errors.BadParameter("Path segments '.' and '..', plain or percent-encoded, are not allowed.");
            }
            if (EmptyKeyVersion().IsMatch(path))
            {
                // The JS CryptographyClient on a versionless key id posts to /keys/{name}//{op}: the empty
                // version means "latest" (wire.md §6).
                path = path.Replace("//", "/", StringComparison.Ordinal);
                context.Request.Path = path;
            }
            if (IdentityPath().IsMatch(path))
            {
                await next(context);
                return;
            }
            if (seal.IsSealed)
            {
                throw Errors.Sealed();
            }
            if (management && Management.CaEndpoints.IsPublicRead(context.Request))
            {
                // The one exception to "authenticate first": GET of the workload CA's chain and CRL. They are
                // public documents that relying parties (and TLS stacks fetching a CRL) read without a Keyhub
                // token, and they reveal nothing a certificate holder does not already show. Exact method and
                // path only; everything else under /keyhub/ still needs a token.
                await next(context);
                return;
            }
            if (management)
            {
                // Keyhub's own API: the same tokens (any audience this origin serves), no api-version.
                var caller = await AuthenticateAsync(context, address.Audience!);
                if (caller is null)
                {
                    await ChallengeAsync(context, address.Audience!, context.Request.Headers.Authorization.Count == 0, management);
                    return;
                }
                principal = caller.ObjectId;
                context.Features.Set(new ManagementRequest(caller, address.Origin!));
                await next(context);
                return;
            }
            if (address.Vault is null)
            {
                throw Errors.NotFound("NotFound", "No vault is served at this address.");
            }
            vaultName = address.Vault.Name;
            var token = await AuthenticateAsync(context, address.Audience!);
            if (token is null)
            {
                await ChallengeAsync(context, address.Audience!, context.Request.Headers.Authorization.Count == 0, management);
                return;
            }
            principal = token.ObjectId;
            var apiVersion = context.Request.Query["api-version"];
            if (apiVersion.Count != 1 || !ApiVersions.Supported.Contains(apiVersion.ToString()))
            {
                throw Errors.BadParameter(apiVersion.Count == 0
                    ? "The api-version query parameter is required."
                    : "The specified api-version is not supported. Supported versions: " + string.Join(", ", ApiVersions.Supported));
            }
            context.Features.Set(new RequestState
            {
                Vault = address.Vault,
                Token = token,
                ApiVersion = apiVersion.ToString(),
                Origin = address.Origin!,
            });
            await next(context);
        }
        catch (KeyhubException error) when (!context.Response.HasStarted)
        {
            await WriteErrorAsync(context, management, error.Status, error.Code, error.Message, error.InnerCode);
        }
        catch (BadHttpRequestException error) when (!context.Response.HasStarted)
        {
            await WriteErrorAsync(context, management, error.StatusCode, "BadParameter", error.StatusCode == 413 ? "The request body is too large." : "The request is malformed.");
        }
        catch (Exception error) when (!context.Response.HasStarted && error is not OperationCanceledException)
        {
            Log.Unhandled(logger, error, requestId);
            await WriteErrorAsync(context, management, 500, "InternalError", $"An internal error occurred. Request id: {requestId}.");
        }
        finally
        {
            Log.RequestCompleted(logger, context.Response.StatusCode < 400 ? LogLevel.Debug : LogLevel.Information, context.Request.Method, context.Request.Path.Value ?? "/", context.Response.StatusCode, principal, vaultName, requestId);
        }
    }

    private async Task<AccessToken?> AuthenticateAsync(HttpContext context, string audience)
    {
        var header = context.Request.Headers.Authorization;
        if (header.Count != 1)
        {
            return null;
        }
        var value = header.ToString();
        const string Scheme = "Bearer ";
        if (!value.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }
        return await tokens.ValidateAsync(value[Scheme.Length..].Trim(), audience, context.RequestAborted);
    }

    private Task ChallengeAsync(HttpContext context, string audience, bool missing, bool management)
    {
        context.Response.Headers.WWWAuthenticate = $"Bearer authorization=\"{tokens.Options.Authority}\", resource=\"{audience}\"";
        return WriteErrorAsync(
            context,
            management,
            401,
            "Unauthorized",
            missing ? "AKV10000: Request is missing a Bearer or PoP token." : "AKV10022: The access token is invalid, expired, or not meant for this vault.");
    }

    /// <summary>The data plane answers in Azure's error shape; Keyhub's management API in problem details.</summary>
    private static Task WriteErrorAsync(HttpContext context, bool management, int status, string code, string message, string? innerCode = null) =>
        management
            ? ProblemError.WriteAsync(context, status, innerCode ?? code, message)
            : AzureError.WriteAsync(context, status, code, message, innerCode);

    private static bool HasDotSegment(string rawTarget)
    {
        var end = rawTarget.IndexOf('?', StringComparison.Ordinal);
        var rawPath = end < 0 ? rawTarget : rawTarget[..end];
        foreach (var segment in rawPath.Split('/'))
        {
            if (segment.Length is > 0 and <= 6 && Uri.UnescapeDataString(segment) is "." or "..")
            {
                return true;
            }
        }
        return false;
    }

    [GeneratedRegex("^/keys/[^/]+//(encrypt|decrypt|wrapkey|unwrapkey|sign|verify|release)$", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex EmptyKeyVersion();

    [GeneratedRegex("^(/msi/token|/[^/]+/(oauth2/v2\\.0/token|v2\\.0/\\.well-known/openid-configuration|discovery/v2\\.0/keys))$", RegexOptions.CultureInvariant)]
    private static partial Regex IdentityPath();
}
