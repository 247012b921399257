namespace Keyhub.Core.Storage;

/// <summary>A page of results; <see cref="ContinueAfter"/> is the ordering key to resume after, or null at the end.</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, string? ContinueAfter);
