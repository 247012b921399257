namespace Keyhub.Pkcs11;

/// <summary>The token holds no object of the kind the operation needs under the given CKA_ID.</summary>
public sealed class Pkcs11ObjectNotFoundException : Pkcs11Exception
{
    public Pkcs11ObjectNotFoundException(string message)
        : base(message)
    {
    }
}
