namespace Keyhub.Core.Barrier;

/// <summary>
/// Every decryption failure collapses into this one opaque error so it cannot serve as an oracle.
/// </summary>
public sealed class BarrierException() : Exception("The record could not be decrypted.");
