using Keyhub.Core.Identity;
using Keyhub.Core.Vaults;

namespace Keyhub.Server.Http;

/// <summary>What the pipeline established about a data-plane request before the endpoint runs.</summary>
public sealed class RequestState
{
    public required VaultProperties Vault { get; init; }
    public required AccessToken Token { get; init; }
    public required string ApiVersion { get; init; }

    /// <summary>Scheme, host and port of the request, already checked against the vault's allow-list.</summary>
    public required string Origin { get; init; }
}

/// <summary>An authenticated call to Keyhub's management API.</summary>
public sealed record ManagementRequest(AccessToken Token, string Origin);

public static class RequestStateExtensions
{
    public static ManagementRequest Management(this HttpContext context) =>
        context.Features.Get<ManagementRequest>() ?? throw new InvalidOperationException("The request did not pass the management pipeline.");

    public static RequestState Keyhub(this HttpContext context) =>
        context.Features.Get<RequestState>() ?? throw new InvalidOperationException("The request did not pass the data-plane pipeline.");
}
