namespace Keyhub.Pkcs11;

/// <summary>
/// A PKCS#11 operation failed. Messages name the token, the object id or the mechanism, never the PIN
/// or key material; the Cryptoki return value, when there is one, is in the inner exception.
/// </summary>
public class Pkcs11Exception : Exception
{
    public Pkcs11Exception(string message)
        : base(message)
    {
    }

    public Pkcs11Exception(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
