using System.Buffers.Text;
using System.Text;
using Keyhub.Core.Errors;

namespace Keyhub.Server.Http;

/// <summary>
/// <c>maxresults</c> (1–25) and <c>$skiptoken</c>. The JS SDK follows <c>nextLink</c> verbatim, so it is
/// absolute and carries api-version (wire.md §4.1).
/// </summary>
public static class Paging
{
    public const int MaxPageSize = 25;

    public static (int Limit, string? After) Read(HttpContext context)
    {
        var limit = MaxPageSize;
        var max = context.Request.Query["maxresults"];
        if (max.Count > 0)
        {
            if (!int.TryParse(max.ToString(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out limit) || limit is < 1 or > MaxPageSize)
            {
                throw Errors.BadParameter($"maxresults must be an integer from 1 to {MaxPageSize}.");
            }
        }
        string? after = null;
        var token = context.Request.Query["$skiptoken"];
        if (token.Count > 0)
        {
            try
            {
                after = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(token.ToString()));
            }
            catch (FormatException)
            {
                throw Errors.BadParameter("The $skiptoken is invalid.");
            }
        }
        return (limit, after);
    }

    public static string? NextLink(HttpContext context, string? continueAfter, int limit)
    {
        if (continueAfter is null)
        {
            return null;
        }
        var state = context.Keyhub();
        var query = $"api-version={Uri.EscapeDataString(state.ApiVersion)}&$skiptoken={Base64Url.EncodeToString(Encoding.UTF8.GetBytes(continueAfter))}";
        if (context.Request.Query.ContainsKey("maxresults"))
        {
            query += $"&maxresults={limit}";
        }
        return $"{state.Origin}{context.Request.Path}?{query}";
    }
}
