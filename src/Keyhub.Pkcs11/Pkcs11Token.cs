using Net.Pkcs11Interop.Common;
using Net.Pkcs11Interop.HighLevelAPI;
using NativePkcs11Exception = Net.Pkcs11Interop.Common.Pkcs11Exception;

namespace Keyhub.Pkcs11;

/// <summary>
/// One logged-in PKCS#11 token. Keys are token objects addressed by CKA_ID and never leave the token:
/// every private and secret key made here is CKA_SENSITIVE and not CKA_EXTRACTABLE, with no way to ask
/// otherwise. Every public member is thread-safe; each call borrows a session of its own from a small pool.
/// </summary>
/// <remarks>
/// The module behind <see cref="Pkcs11Options.LibraryPath"/> is loaded once per process and shared by all
/// tokens opened on it (see <see cref="ModuleRegistry"/>); a second <see cref="Pkcs11Token"/> on a token
/// that is already logged in must bring the same PIN (see <see cref="TokenLogins"/>).
/// </remarks>
public sealed partial class Pkcs11Token : IDisposable
{
    private readonly SharedModule _module;
    private readonly ulong _slotId;
    private readonly ISession _loginSession;
    private readonly SessionPool _sessions;
    private readonly string _tokenLabel;
    private int _disposed;

    private Pkcs11Token(SharedModule module, ulong slotId, ISession loginSession, SessionPool sessions, string tokenLabel, IReadOnlySet<string> mechanisms)
    {
        _module = module;
        _slotId = slotId;
        _loginSession = loginSession;
        _sessions = sessions;
        _tokenLabel = tokenLabel;
        Mechanisms = mechanisms;
    }

    /// <summary>The names of the mechanisms the token lists (C_GetMechanismList), e.g. "CKM_AES_GCM".</summary>
    public IReadOnlySet<string> Mechanisms { get; }

    private Pkcs11InteropFactories Factories => _module.Factories;

    /// <summary>Loads the library (or shares it), finds the token by label and logs in as CKU_USER.</summary>
    public static Pkcs11Token Open(Pkcs11Options options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.LibraryPath, nameof(options));
        ArgumentException.ThrowIfNullOrWhiteSpace(options.TokenLabel, nameof(options));
        ArgumentNullException.ThrowIfNull(options.Pin, nameof(options));

        var label = options.TokenLabel.TrimEnd(' ');
        var module = ModuleRegistry.Acquire(options.LibraryPath, out var alreadyLoaded);
        try
        {
            var (slot, info) = FindSlot(module, label, alreadyLoaded);
            var mechanisms = MechanismNames.Of(slot.GetMechanismList());
            var sessions = new SessionPool(slot, PoolSize(info));
            // The last step that can fail; when it does, it leaves no session and no login behind.
            var loginSession = module.Logins.Open(slot, label, options.Pin);
            return new Pkcs11Token(module, slot.SlotId, loginSession, sessions, label, mechanisms);
        }
        catch (Exception e)
        {
            ModuleRegistry.Release(module);
            if (e is NativePkcs11Exception native)
            {
                throw new Pkcs11Exception($"opening token '{label}' in {module.Key} failed ({native.RV})", native);
            }

            throw;
        }
    }

    /// <summary>Random bytes from the token's generator (C_GenerateRandom).</summary>
    public byte[] GenerateRandom(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(length);
        return Run("C_GenerateRandom", session => session.GenerateRandom(length));
    }

    /// <summary>Closes this token's sessions; the last token of a library also finalizes and unloads it.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _sessions.Close();
        _module.Logins.Close(_slotId, _loginSession);
        ModuleRegistry.Release(_module);
    }

    private static (ISlot Slot, ITokenInfo Info) FindSlot(SharedModule module, string label, bool alreadyLoaded)
    {
        var matches = new List<(ISlot, ITokenInfo)>();
        foreach (var slot in module.Library.GetSlotList(SlotsType.WithTokenPresent))
        {
            ITokenInfo info;
            try
            {
                info = slot.GetTokenInfo();
            }
            catch (NativePkcs11Exception)
            {
                continue; // removed meanwhile, or not readable: not ours either way
            }

            if (info.TokenFlags.TokenInitialized && string.Equals(info.Label.TrimEnd(' '), label, StringComparison.Ordinal))
            {
                matches.Add((slot, info));
            }
        }

        return matches.Count switch
        {
            1 => matches[0],
            0 when alreadyLoaded => throw new Pkcs11Exception(
                $"no token labelled '{label}' in {module.Key} (the library was already loaded in this process and may list " +
                "only the tokens that existed then; one initialized since appears after every Pkcs11Token on the library is disposed)"),
            0 => throw new Pkcs11Exception($"no token labelled '{label}' in {module.Key}"),
            _ => throw new Pkcs11Exception($"{matches.Count} tokens labelled '{label}' in {module.Key}; the label must name one token"),
        };
    }

    private static int PoolSize(ITokenInfo info)
    {
        var size = Math.Clamp(Environment.ProcessorCount, 2, 8);
        // 0 means "effectively infinite" and ~0 "unavailable"; otherwise leave one for the login session.
        var max = info.MaxRwSessionCount;
        return max is > 1 and < 1024 ? Math.Min(size, (int)max - 1) : size;
    }

    /// <summary>Runs <paramref name="body"/> on a pooled session and turns Cryptoki errors into Keyhub's.</summary>
    private T Run<T>(string operation, Func<ISession, T> body, Func<NativePkcs11Exception, Pkcs11Exception?>? translate = null) =>
        OnSession(operation, session => _module.Use(() => body(session)), translate);

    /// <summary>Like <see cref="Run{T}"/>, for changes to token objects (see <see cref="SharedModule.ChangeObjects{T}"/>).</summary>
    private T Change<T>(string operation, Func<ISession, T> body, Func<NativePkcs11Exception, Pkcs11Exception?>? translate = null) =>
        OnSession(operation, session => _module.ChangeObjects(() => body(session)), translate);

    private void Change(string operation, Action<ISession> body, Func<NativePkcs11Exception, Pkcs11Exception?>? translate = null) =>
        Change(operation, session =>
        {
            body(session);
            return true;
        }, translate);

    private T OnSession<T>(string operation, Func<ISession, T> body, Func<NativePkcs11Exception, Pkcs11Exception?>? translate)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        try
        {
            return _sessions.Run(body);
        }
        catch (NativePkcs11Exception e)
        {
            throw translate?.Invoke(e) ?? new Pkcs11Exception($"{operation} failed on token '{_tokenLabel}' ({e.RV})", e);
        }
    }

    private OwnedMechanism Plain(CKM mechanism) => new(Factories.MechanismFactory.Create(mechanism));

    /// <summary>Fails fast, before any session is used, when the token does not list the mechanism.</summary>
    private void Require(string mechanism)
    {
        if (!Mechanisms.Contains(mechanism))
        {
            throw new Pkcs11MechanismUnsupportedException(mechanism);
        }
    }

    /// <summary>Maps the token's "no such mechanism / parameters" answers to the typed exception.</summary>
    private static Func<NativePkcs11Exception, Pkcs11Exception?> Unsupported(string mechanism, string? detail = null) =>
        e => e.RV is CKR.CKR_MECHANISM_INVALID or CKR.CKR_MECHANISM_PARAM_INVALID
            ? new Pkcs11MechanismUnsupportedException(mechanism, detail, e)
            : null;
}
