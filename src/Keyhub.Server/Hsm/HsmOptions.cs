namespace Keyhub.Server.Hsm;

/// <summary>
/// The PKCS#11 HSM of a deployment sealed by one (<c>Keyhub:Hsm</c>). The token label and the wrapping key's id are
/// recorded at init; the library path is recorded too and may be overridden here (it differs between machines);
/// the PIN is never stored: <see cref="Pin"/> (e.g. <c>KEYHUB__HSM__PIN</c>) or the environment variable named by
/// <see cref="PinVariable"/>.
/// </summary>
public sealed record HsmOptions
{
    public string? Library { get; init; }

    /// <summary>
    /// A token for premium vaults' keys on a deployment not sealed by an HSM (dev mode, Shamir or key file); with
    /// <see cref="Library"/>. An HSM-sealed deployment uses its seal's token.
    /// </summary>
    public string? TokenLabel { get; init; }

    public string? Pin { get; init; }

    public string PinVariable { get; init; } = "KEYHUB_HSM_PIN";

    /// <summary>The PIN, or an error that names where it was looked for (never a value).</summary>
    public string ResolvePin() =>
        Pin ?? Environment.GetEnvironmentVariable(PinVariable)
        ?? throw new InvalidOperationException($"The HSM PIN is not configured: set Keyhub:Hsm:Pin (KEYHUB__HSM__PIN) or the environment variable {PinVariable}.");
}
