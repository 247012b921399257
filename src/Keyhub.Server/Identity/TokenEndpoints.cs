using System.Text.Json.Nodes;
using Keyhub.Core.Identity;
using Keyhub.Server.Http;

namespace Keyhub.Server.Identity;

/// <summary>
/// OAuth2 client-credentials token endpoint, OpenID Connect discovery and JWKS (design.md §5,
/// wire.md §2). Errors use the OAuth error body, never echoing the secret.
/// </summary>
internal static class TokenEndpoints
{
    private const int MaxFormBytes = 64 * 1024;

    public static void MapTokenEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/{tenant}/oauth2/v2.0/token", IssueAsync);
        app.MapGet("/{tenant}/v2.0/.well-known/openid-configuration", Discovery);
        app.MapGet("/{tenant}/discovery/v2.0/keys", Keys);
    }

    private static async Task<IResult> IssueAsync(HttpContext context, string tenant, TokenService tokens, PrincipalStore principals, VaultAddressing addressing, FailedAuthenticationLimiter limiter, ILogger<TokenService> logger)
    {
        if (!string.Equals(tenant, tokens.Options.TenantId, StringComparison.OrdinalIgnoreCase))
        {
            return OAuthError(400, "invalid_request", "AADSTS90002: Tenant not found.");
        }
        if (!context.Request.HasFormContentType)
        {
            return OAuthError(400, "invalid_request", "The token request must be application/x-www-form-urlencoded.");
        }
        if (context.Request.ContentLength is null or > MaxFormBytes)
        {
            return OAuthError(400, "invalid_request", "The token request body is missing or too large.");
        }
        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        if (form["grant_type"] != "client_credentials")
        {
            return OAuthError(400, "unsupported_grant_type", "Only the client_credentials grant is supported.");
        }
        var clientId = form["client_id"].ToString();
        var scope = form["scope"].ToString();
        const string Suffix = "/.default";
        var audience = scope.EndsWith(Suffix, StringComparison.Ordinal) ? scope[..^Suffix.Length] : null;
        if (audience is null || !addressing.Audiences.Contains(audience, StringComparer.Ordinal))
        {
            Log.TokenRefused(logger, "unknown scope");
            return OAuthError(400, "invalid_scope", "AADSTS70011: The provided scope is not a Keyhub vault resource ('<resource>/.default').");
        }
        if (form.ContainsKey("client_assertion"))
        {
            return OAuthError(400, "invalid_client", "Certificate credentials (client_assertion) are not supported yet.");
        }
        var address = context.Connection.RemoteIpAddress?.ToString();
        if (limiter.RetryAfter(clientId, address) is { } wait)
        {
            Log.TokenRefused(logger, "too many failed authentications");
            context.Response.Headers.RetryAfter = ((int)Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            return OAuthError(429, "invalid_client", "AADSTS50196: Too many failed client authentications; retry later.");
        }
        var secret = form["client_secret"].ToString();
        var principal = clientId.Length == 0 || secret.Length == 0 ? null : await principals.AuthenticateAsync(clientId, secret, context.RequestAborted);
        if (principal is null)
        {
            limiter.RecordFailure(clientId, address);
            Log.TokenRefused(logger, "invalid client credentials");
            return OAuthError(401, "invalid_client", "AADSTS7000215: Invalid client secret provided, or the client is unknown or disabled.");
        }
        var (token, expires) = tokens.Issue(principal, audience);
        Log.TokenIssued(logger, principal.ClientId, audience);
        var lifetime = (long)(expires - context.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow()).TotalSeconds;
        var body = new JsonObject
        {
            ["token_type"] = "Bearer",
            ["expires_in"] = lifetime,
            ["ext_expires_in"] = lifetime,
            ["access_token"] = token,
        };
        context.Response.Headers.CacheControl = "no-store";
        return JsonResponse.Ok(body);
    }

    private static IResult Discovery(string tenant, TokenService tokens)
    {
        if (!string.Equals(tenant, tokens.Options.TenantId, StringComparison.OrdinalIgnoreCase))
        {
            return OAuthError(404, "invalid_tenant", "AADSTS90002: Tenant not found.");
        }
        var authority = tokens.Options.Authority;
        var body = new JsonObject
        {
            ["issuer"] = tokens.Options.Issuer,
            ["authorization_endpoint"] = $"{authority}/oauth2/v2.0/authorize",
            ["token_endpoint"] = $"{authority}/oauth2/v2.0/token",
            ["jwks_uri"] = $"{authority}/discovery/v2.0/keys",
            ["response_types_supported"] = new JsonArray("token"),
            ["grant_types_supported"] = new JsonArray("client_credentials"),
            ["subject_types_supported"] = new JsonArray("pairwise"),
            ["id_token_signing_alg_values_supported"] = new JsonArray(TokenService.Algorithm),
            ["token_endpoint_auth_methods_supported"] = new JsonArray("client_secret_post"),
            ["scopes_supported"] = new JsonArray(".default"),
            ["tenant_region_scope"] = null,
        };
        return JsonResponse.Ok(body);
    }

    private static IResult Keys(string tenant, TokenService tokens)
    {
        if (!string.Equals(tenant, tokens.Options.TenantId, StringComparison.OrdinalIgnoreCase))
        {
            return OAuthError(404, "invalid_tenant", "AADSTS90002: Tenant not found.");
        }
        var body = new JsonObject { ["keys"] = new JsonArray(tokens.PublicJwks().Cast<JsonNode>().ToArray()) };
        return JsonResponse.Ok(body);
    }

    private static IResult OAuthError(int status, string error, string description)
    {
        var body = new JsonObject
        {
            ["error"] = error,
            ["error_description"] = description,
            ["timestamp"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd HH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture),
        };
        return JsonResponse.Ok(body, status);
    }
}
