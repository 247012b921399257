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
        app.MapGet("/msi/token", ManagedIdentityAsync);
    }

    private static async Task<IResult> IssueAsync(HttpContext context, string tenant, TokenService tokens, PrincipalStore principals, VaultAddressing addressing, FailedAuthenticationLimiter limiter, ClientAssertionValidator assertions, ILogger<TokenService> logger)
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
        // An assertion may omit client_id; rate-limit under the client it claims to be (its unverified iss).
        var limiterId = clientId.Length > 0 ? clientId : ClaimedIssuer(form["client_assertion"].ToString()) ?? "";
        var scope = form["scope"].ToString();
        const string Suffix = "/.default";
        var audience = scope.EndsWith(Suffix, StringComparison.Ordinal) ? scope[..^Suffix.Length] : null;
        if (audience is null || !addressing.Audiences.Contains(audience, StringComparer.Ordinal))
        {
            Log.TokenRefused(logger, "unknown scope");
            return OAuthError(400, "invalid_scope", "AADSTS70011: The provided scope is not a Keyhub vault resource ('<resource>/.default').");
        }
        var address = context.Connection.RemoteIpAddress?.ToString();
        if (limiter.RetryAfter(limiterId, address) is { } wait)
        {
            Log.TokenRefused(logger, "too many failed authentications");
            context.Response.Headers.RetryAfter = ((int)Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            return OAuthError(429, "invalid_client", "AADSTS50196: Too many failed client authentications; retry later.");
        }
        ServicePrincipal? principal;
        if (form.ContainsKey("client_assertion"))
        {
            if (form["client_assertion_type"] != ClientAssertionValidator.AssertionType)
            {
                return OAuthError(400, "invalid_request", $"client_assertion_type must be {ClientAssertionValidator.AssertionType}.");
            }
            principal = await assertions.ValidateAsync(
                form["client_assertion"].ToString(),
                clientId.Length == 0 ? null : clientId,
                $"{tokens.Options.Authority}/oauth2/v2.0/token",
                context.RequestAborted);
        }
        else
        {
            var secret = form["client_secret"].ToString();
            principal = clientId.Length == 0 || secret.Length == 0 ? null : await principals.AuthenticateAsync(clientId, secret, context.RequestAborted);
        }
        if (principal is null)
        {
            limiter.RecordFailure(limiterId, address);
            Log.TokenRefused(logger, "invalid client credentials");
            return OAuthError(401, "invalid_client", "AADSTS7000215: Invalid client secret or assertion provided, or the client is unknown or disabled.");
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

    /// <summary>
    /// The managed-identity endpoint in App Service's 2019-08-01 shape (wire.md §2.6): the workload proves
    /// itself with <c>X-IDENTITY-HEADER</c>, its own workload credential bound to one principal (a client
    /// secret is not accepted here).
    /// </summary>
    private static async Task<IResult> ManagedIdentityAsync(HttpContext context, TokenService tokens, PrincipalStore principals, VaultAddressing addressing, FailedAuthenticationLimiter limiter, TimeProvider time, ILogger<TokenService> logger)
    {
        var resource = (context.Request.Query["resource"].FirstOrDefault() ?? "").TrimEnd('/');
        if (context.Request.Query["api-version"] != "2019-08-01")
        {
            return OAuthError(400, "invalid_request", "api-version must be 2019-08-01.");
        }
        if (!addressing.Audiences.Contains(resource, StringComparer.Ordinal))
        {
            return OAuthError(400, "invalid_resource", "The resource is not a Keyhub vault resource.");
        }
        var address = context.Connection.RemoteIpAddress?.ToString();
        var header = context.Request.Headers["X-IDENTITY-HEADER"].ToString();
        // Limit per claimed workload (the client id in kh1.<clientId>.<secret>) and per address, never globally.
        var limiterKey = "mi:" + (header.Split('.', 3) is ["kh1", var claimed, _] && claimed.Length <= 64 ? claimed : "");
        if (limiter.RetryAfter(limiterKey, address) is { } wait)
        {
            context.Response.Headers.RetryAfter = ((int)Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            return OAuthError(429, "invalid_client", "Too many failed authentications; retry later.");
        }
        var principal = header.Length is 0 or > 512 ? null : await principals.AuthenticateWorkloadAsync(header, context.RequestAborted);
        var requested = context.Request.Query["client_id"].FirstOrDefault();
        if (principal is null || (requested is not null && !string.Equals(requested, principal.ClientId, StringComparison.OrdinalIgnoreCase)))
        {
            limiter.RecordFailure(limiterKey, address);
            Log.TokenRefused(logger, "invalid workload credential");
            return OAuthError(401, "invalid_client", "The X-IDENTITY-HEADER is not a valid workload credential for this identity.");
        }
        var (token, expires) = tokens.Issue(principal, resource);
        Log.TokenIssued(logger, principal.ClientId, resource);
        context.Response.Headers.CacheControl = "no-store";
        return JsonResponse.Ok(new JsonObject
        {
            ["access_token"] = token,
            ["expires_on"] = expires.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["resource"] = resource,
            ["token_type"] = "Bearer",
            ["client_id"] = principal.ClientId,
        });
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
            ["token_endpoint_auth_methods_supported"] = new JsonArray("client_secret_post", "private_key_jwt"),
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

    private static string? ClaimedIssuer(string assertion)
    {
        var parts = assertion.Split('.');
        if (parts.Length != 3 || parts[1].Length > 8192)
        {
            return null;
        }
        try
        {
            var iss = JsonNode.Parse(System.Buffers.Text.Base64Url.DecodeFromChars(parts[1]))?["iss"]?.GetValue<string>();
            return iss is { Length: <= 64 } ? iss : null;
        }
        catch (Exception ex) when (ex is FormatException or System.Text.Json.JsonException or InvalidOperationException)
        {
            return null;
        }
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
