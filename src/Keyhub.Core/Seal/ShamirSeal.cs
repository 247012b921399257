using System.Security.Cryptography;
using System.Text;
using Keyhub.Core.Barrier;

namespace Keyhub.Core.Seal;

/// <summary>
/// What a Shamir-sealed deployment records at init, in the clear (it holds no secret): the share count,
/// the threshold, and one check value per share (<see cref="Shamir.CheckValue"/>) by x-coordinate.
/// </summary>
public sealed record ShamirSealConfig(int Shares, int Threshold, IReadOnlyList<byte[]> CheckValues);

/// <summary>Where an unseal stands: how many distinct shares have been accepted out of the threshold.</summary>
public sealed record UnsealProgress(int Received, int Threshold)
{
    public bool Complete => Received >= Threshold;
}

/// <summary>
/// Seal whose key exists only while operators hold enough shares: <see cref="Create"/> makes a 256-bit
/// unseal key, splits it and returns the shares once; afterwards the key is rebuilt from a threshold of
/// shares given one at a time through <see cref="Submit"/>. Each share is checked on entry against the
/// check value recorded for its x-coordinate, so a wrong or repeated share is refused without disturbing
/// those already given. Until the threshold is met <see cref="UnwrapAsync"/> fails as sealed.
/// </summary>
public sealed class ShamirSeal : ISeal, IDisposable
{
    private static readonly byte[] AssociatedData = Encoding.UTF8.GetBytes("keyhub/root-key/shamir");
    private readonly Lock _gate = new();
    private readonly Dictionary<byte, byte[]> _received = [];
    private byte[]? _key;

    public ShamirSeal(ShamirSealConfig config)
        : this(config, sharesOfRootKey: false)
    {
    }

    private ShamirSeal(ShamirSealConfig config, bool sharesOfRootKey)
    {
        SharesOfRootKey = sharesOfRootKey;
        if (config.Threshold < 2 || config.Shares < config.Threshold || config.CheckValues.Count != config.Shares)
        {
            throw new ArgumentException("The Shamir seal configuration is inconsistent.", nameof(config));
        }
        Config = config;
    }

    /// <summary>The kind of a seal made of recovery shares: it opens an HSM deployment (<see cref="SealSettings.HsmKind"/>).</summary>
    public const string RecoveryKind = "recovery";

    public string Kind => SharesOfRootKey ? RecoveryKind : SealSettings.ShamirKind;

    /// <summary>
    /// Recovery shares: the secret they combine into is the root key itself (an HSM deployment's break-glass), not a
    /// key that wraps it. Each share is still checked on entry; the keyring, encrypted under the root key, proves the result.
    /// </summary>
    public bool SharesOfRootKey { get; }

    public ShamirSealConfig Config { get; }

    public UnsealProgress Progress
    {
        get
        {
            lock (_gate)
            {
                return new UnsealProgress(_key is null ? _received.Count : Config.Threshold, Config.Threshold);
            }
        }
    }

    /// <summary>A new unseal key split into <paramref name="shares"/>; the seal starts unsealed (init wraps the root key with it).</summary>
    public static (ShamirSeal Seal, byte[][] Shares) Create(int shares, int threshold)
    {
        var key = RandomNumberGenerator.GetBytes(KeyRing.KeySize);
        var split = Shamir.Split(key, shares, threshold);
        var seal = new ShamirSeal(new ShamirSealConfig(shares, threshold, split.Select(s => Shamir.CheckValue(s)).ToList()));
        seal._key = key;
        return (seal, split);
    }

    /// <summary>Recovery shares of an existing root key (HSM deployments); the root key itself is not kept.</summary>
    public static (ShamirSealConfig Config, byte[][] Shares) SplitRootKey(ReadOnlySpan<byte> rootKey, int shares, int threshold)
    {
        var split = Shamir.Split(rootKey, shares, threshold);
        return (new ShamirSealConfig(shares, threshold, split.Select(s => Shamir.CheckValue(s)).ToList()), split);
    }

    /// <summary>A seal that collects recovery shares (see <see cref="SharesOfRootKey"/>).</summary>
    public static ShamirSeal ForRecovery(ShamirSealConfig config) => new(config, sharesOfRootKey: true);

    /// <summary>Accepts one share; throws <see cref="ArgumentException"/> (naming no share content) for a wrong, malformed or repeated one.</summary>
    public UnsealProgress Submit(ReadOnlySpan<byte> share)
    {
        if (share.Length != KeyRing.KeySize + 1 || share[0] == 0 || share[0] > Config.Shares)
        {
            throw new ArgumentException("This is not one of this deployment's unseal shares.");
        }
        if (!Shamir.Matches(share, Config.CheckValues[share[0] - 1]))
        {
            throw new ArgumentException("This is not one of this deployment's unseal shares.");
        }
        lock (_gate)
        {
            if (_key is not null)
            {
                return new UnsealProgress(Config.Threshold, Config.Threshold);
            }
            if (_received.ContainsKey(share[0]))
            {
                throw new ArgumentException("This share has already been given.");
            }
            _received[share[0]] = share.ToArray();
            if (_received.Count >= Config.Threshold)
            {
                _key = Shamir.Combine([.. _received.Values]);
                Forget();
            }
            return new UnsealProgress(_key is null ? _received.Count : Config.Threshold, Config.Threshold);
        }
    }

    /// <summary>Drops the key and any shares given so far: the deployment needs a threshold of shares again.</summary>
    public void Seal()
    {
        lock (_gate)
        {
            Forget();
            if (_key is not null)
            {
                CryptographicOperations.ZeroMemory(_key);
                _key = null;
            }
        }
    }

    public Task<byte[]> WrapAsync(ReadOnlyMemory<byte> rootKey, CancellationToken cancellationToken)
    {
        if (SharesOfRootKey)
        {
            throw new InvalidOperationException("Recovery shares open a deployment; they wrap no new root key (rekey with an HSM does).");
        }
        lock (_gate)
        {
            return Task.FromResult(AesGcmEnvelope.Seal(_key ?? throw Errors.Errors.Sealed(), 0, rootKey.Span, AssociatedData));
        }
    }

    public Task<byte[]> UnwrapAsync(ReadOnlyMemory<byte> wrappedRootKey, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (SharesOfRootKey)
            {
                // The combined shares are the root key; the keyring, encrypted under it, proves it right when opened.
                return Task.FromResult((_key ?? throw Errors.Errors.Sealed()).ToArray());
            }
            return Task.FromResult(AesGcmEnvelope.Open(_key ?? throw Errors.Errors.Sealed(), wrappedRootKey.Span, AssociatedData));
        }
    }

    public void Dispose() => Seal();

    private void Forget()
    {
        foreach (var share in _received.Values)
        {
            CryptographicOperations.ZeroMemory(share);
        }
        _received.Clear();
    }
}
