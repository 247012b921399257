namespace Keyhub.Core.Secrets;

/// <summary>A new version's contents (PUT /secrets/{name}).</summary>
public sealed record NewSecret(string Value)
{
    public string? ContentType { get; init; }
    public IReadOnlyDictionary<string, string>? Tags { get; init; }
    public bool? Enabled { get; init; }
    public DateTimeOffset? NotBefore { get; init; }
    public DateTimeOffset? Expires { get; init; }
}

/// <summary>Changes to a version's properties (PATCH); null leaves a property as it is. The value is immutable.</summary>
public sealed record SecretPropertiesUpdate
{
    public string? ContentType { get; init; }
    public IReadOnlyDictionary<string, string>? Tags { get; init; }
    public bool? Enabled { get; init; }
    public DateTimeOffset? NotBefore { get; init; }
    public DateTimeOffset? Expires { get; init; }
}
