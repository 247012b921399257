using System.Security.Cryptography;
using System.Text;
using Net.Pkcs11Interop.Common;
using Net.Pkcs11Interop.HighLevelAPI;
using NativePkcs11Exception = Net.Pkcs11Interop.Common.Pkcs11Exception;

namespace Keyhub.Pkcs11;

/// <summary>One loaded and C_Initialize'd PKCS#11 module, shared by every token opened on it.</summary>
/// <remarks>
/// In PKCS#11 the login belongs to the process and the token, not to a session: once one session is
/// logged in, C_Login in any other answers CKR_USER_ALREADY_LOGGED_IN without looking at the PIN. So the
/// module remembers which PIN logged each token in, and a second <see cref="Pkcs11Token"/> on that token
/// must present the same one; otherwise a wrong PIN would open a token someone else had opened.
/// </remarks>
internal sealed class SharedModule(string key, Pkcs11InteropFactories factories, IPkcs11Library library)
{
    private readonly Dictionary<ulong, Login> _logins = [];

    /// <summary>
    /// SoftHSM2 (2.6.1 and earlier) corrupts its file object store when one process creates or destroys token
    /// objects from several threads at once: C_GenerateKey/C_CreateObject fail at random with CKR_GENERAL_ERROR
    /// or CKR_TEMPLATE_INCONSISTENT (its file locks are fcntl locks, which do not exclude threads of one
    /// process; softhsm/SoftHSMv2#573). For that module, changes to token objects take turns; cryptographic
    /// operations stay parallel. Other modules are not held back.
    /// </summary>
    private readonly Lock? _objectChanges = IsSoftHsm(library) ? new Lock() : null;

    public string Key { get; } = key;

    public Pkcs11InteropFactories Factories { get; } = factories;

    public IPkcs11Library Library { get; } = library;

    /// <summary>Open <see cref="Pkcs11Token"/>s on this module; guarded by <see cref="ModuleRegistry"/>'s lock.</summary>
    public int References { get; set; }

    /// <summary>Runs a change to token objects (create, generate, destroy), one at a time where the module needs it.</summary>
    public T ChangeObjects<T>(Func<T> change)
    {
        if (_objectChanges is null)
        {
            return change();
        }

        lock (_objectChanges)
        {
            return change();
        }
    }

    /// <summary>Logs the token in as CKU_USER, or checks the PIN against the login already in place.</summary>
    public void LogIn(ISession session, ulong slotId, string label, string pin)
    {
        lock (_logins)
        {
            if (_logins.TryGetValue(slotId, out var login))
            {
                if (login.Pin is not null && !SamePin(login.Pin, pin))
                {
                    throw PinRefused(label, null);
                }

                login.Users++;
                return;
            }

            string? verifiedPin = pin;
            try
            {
                session.Login(CKU.CKU_USER, pin);
            }
            catch (NativePkcs11Exception e) when (e.RV == CKR.CKR_USER_ALREADY_LOGGED_IN)
            {
                // Logged in by something else in this process, outside Keyhub: there is no PIN to compare with.
                verifiedPin = null;
            }
            catch (NativePkcs11Exception e) when (e.RV is CKR.CKR_PIN_INCORRECT or CKR.CKR_PIN_INVALID or CKR.CKR_PIN_LEN_RANGE)
            {
                throw PinRefused(label, e);
            }
            catch (NativePkcs11Exception e) when (e.RV is CKR.CKR_PIN_LOCKED)
            {
                throw new Pkcs11Exception($"the user PIN of token '{label}' is locked", e);
            }
            catch (NativePkcs11Exception e)
            {
                throw new Pkcs11Exception($"logging in to token '{label}' failed ({e.RV})", e);
            }

            _logins.Add(slotId, new Login(verifiedPin));
        }
    }

    /// <summary>
    /// Closes a token's login session and forgets the login with the last one. There is no C_Logout: closing
    /// the token's last session ends the login (PKCS#11 §5.6), and C_Logout would end it for every token of
    /// this process on that slot. Under the same lock as <see cref="LogIn"/>, so no open can slip in between.
    /// </summary>
    public void LogOut(ulong slotId, ISession loginSession)
    {
        lock (_logins)
        {
            try
            {
                loginSession.Dispose();
            }
            catch (NativePkcs11Exception)
            {
                // The session is gone already (module or token went away).
            }

            if (_logins.TryGetValue(slotId, out var login) && --login.Users == 0)
            {
                _logins.Remove(slotId);
            }
        }
    }

    private static bool IsSoftHsm(IPkcs11Library library)
    {
        try
        {
            return library.GetInfo().ManufacturerId.Trim().StartsWith("SoftHSM", StringComparison.Ordinal);
        }
        catch (NativePkcs11Exception)
        {
            return false;
        }
    }

    private static bool SamePin(string expected, string actual) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(expected), Encoding.UTF8.GetBytes(actual));

    private static Pkcs11Exception PinRefused(string label, Exception? inner) =>
        new($"the HSM refused the PIN for token '{label}'", inner);

    private sealed class Login(string? pin)
    {
        public string? Pin { get; } = pin;

        public int Users { get; set; } = 1;
    }
}
