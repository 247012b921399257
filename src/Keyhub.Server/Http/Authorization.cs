using Keyhub.Core.Authorization;
using Keyhub.Core.Errors;

namespace Keyhub.Server.Http;

/// <summary>The one check every data-plane endpoint makes: may this caller perform this data action here?</summary>
public static class AuthorizationExtensions
{
    public static async Task AuthorizeAsync(this HttpContext context, string dataAction, string scope)
    {
        var state = context.Keyhub();
        var access = context.RequestServices.GetRequiredService<AccessEvaluator>();
        if (!await access.IsAllowedAsync(state.Token.ObjectId, dataAction, scope, context.RequestAborted))
        {
            throw Errors.Forbidden(
                $"Caller is not authorized to perform action on resource. If role assignments were recently changed, please wait several minutes for role assignments to become effective. Caller: appid={state.Token.ClientId};oid={state.Token.ObjectId}; Action: '{dataAction}'; Resource: '{scope}'",
                "ForbiddenByRbac");
        }
    }
}
