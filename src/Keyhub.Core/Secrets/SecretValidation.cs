using E = Keyhub.Core.Errors.Errors;

namespace Keyhub.Core.Secrets;

/// <summary>Azure's limits on content types and tags.</summary>
internal static class SecretValidation
{
    public const int MaxContentTypeLength = 255;
    public const int MaxTags = 15;
    public const int MaxTagNameLength = 512;
    public const int MaxTagValueLength = 256;

    public static void ValidateProperties(string? contentType, IReadOnlyDictionary<string, string>? tags)
    {
        if (contentType is { Length: > MaxContentTypeLength })
        {
            throw E.BadParameter($"The content type exceeds {MaxContentTypeLength} characters.");
        }
        if (tags is null)
        {
            return;
        }
        if (tags.Count > MaxTags)
        {
            throw E.BadParameter($"At most {MaxTags} tags are allowed.");
        }
        if (tags.Any(t => t.Key.Length is 0 or > MaxTagNameLength || t.Value is null || t.Value.Length > MaxTagValueLength))
        {
            throw E.BadParameter($"Tag names are 1-{MaxTagNameLength} characters and tag values at most {MaxTagValueLength}.");
        }
    }
}
