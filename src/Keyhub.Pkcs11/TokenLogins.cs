using System.Security.Cryptography;
using System.Text;
using Net.Pkcs11Interop.Common;
using Net.Pkcs11Interop.HighLevelAPI;
using NativePkcs11Exception = Net.Pkcs11Interop.Common.Pkcs11Exception;

namespace Keyhub.Pkcs11;

/// <summary>
/// The CKU_USER logins of one module's tokens, each held by a login session per <see cref="Pkcs11Token"/>.
/// </summary>
/// <remarks>
/// In PKCS#11 a login belongs to the process and the token, not to a session: once one session is logged in,
/// C_Login in another answers CKR_USER_ALREADY_LOGGED_IN without looking at the PIN, and the login ends
/// when the token's last session closes. So this class remembers which PIN logged each token in, and a second
/// <see cref="Pkcs11Token"/> on that token must present the same one (otherwise a wrong PIN would open a token
/// someone else had opened). There is no C_Logout: it would end the login for every token of the process.
/// Opening and closing login sessions take one lock, so a token's last session never closes while another
/// login session of it is being opened (SoftHSM2 also mishandles that race, softhsm/SoftHSMv2#464).
/// </remarks>
internal sealed class TokenLogins
{
    private readonly Dictionary<ulong, Login> _logins = [];

    /// <summary>Opens a session logged in as CKU_USER, or checks the PIN against the login already in place.</summary>
    public ISession Open(ISlot slot, string label, string pin)
    {
        lock (_logins)
        {
            var session = slot.OpenSession(SessionType.ReadWrite);
            try
            {
                if (_logins.TryGetValue(slot.SlotId, out var login))
                {
                    if (login.Pin is not null && !SamePin(login.Pin, pin))
                    {
                        throw PinRefused(label, null);
                    }

                    login.Users++;
                }
                else
                {
                    _logins.Add(slot.SlotId, new Login(LogIn(session, label, pin)));
                }

                return session;
            }
            catch
            {
                CloseQuietly(session);
                throw;
            }
        }
    }

    /// <summary>Closes a login session; with the token's last one the module ends the login and so do we.</summary>
    public void Close(ulong slotId, ISession session)
    {
        lock (_logins)
        {
            CloseQuietly(session);
            if (_logins.TryGetValue(slotId, out var login) && --login.Users == 0)
            {
                _logins.Remove(slotId);
            }
        }
    }

    /// <returns>The PIN that was checked, or null when the token was logged in outside Keyhub already.</returns>
    private static string? LogIn(ISession session, string label, string pin)
    {
        try
        {
            session.Login(CKU.CKU_USER, pin);
            return pin;
        }
        catch (NativePkcs11Exception e) when (e.RV == CKR.CKR_USER_ALREADY_LOGGED_IN)
        {
            // Something else in this process logged the token in: there is no PIN to compare with.
            return null;
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
    }

    private static void CloseQuietly(ISession session)
    {
        try
        {
            session.Dispose();
        }
        catch (NativePkcs11Exception)
        {
            // The module dropped it already (token or module gone); nothing left to release.
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
