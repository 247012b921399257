namespace Keyhub.Core.Secrets;

/// <summary>One version of a secret as the engine returns it; <see cref="Value"/> is null in listings.</summary>
public sealed record SecretVersion
{
    public required string Name { get; init; }
    public required string Version { get; init; }
    public string? Value { get; init; }
    public string? ContentType { get; init; }
    public IReadOnlyDictionary<string, string>? Tags { get; init; }
    public bool Enabled { get; init; } = true;
    public DateTimeOffset? NotBefore { get; init; }
    public DateTimeOffset? Expires { get; init; }
    public required DateTimeOffset Created { get; init; }
    public required DateTimeOffset Updated { get; init; }

    /// <summary>The secret of a certificate (its key id is the certificate's key): changed only through the certificate.</summary>
    public bool Managed { get; init; }
}
