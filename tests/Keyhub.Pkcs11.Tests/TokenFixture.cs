namespace Keyhub.Pkcs11.Tests;

/// <summary>A token of its own for one test class, opened once; derived fixtures add the slow keys (RSA).</summary>
public abstract class TokenFixture : IDisposable
{
    private readonly Pkcs11Token? _token;

    protected TokenFixture(string label)
    {
        if (!SoftHsm.IsAvailable)
        {
            return; // every test of the class is skipped
        }

        Hsm = SoftHsm.Create(label);
        _token = Pkcs11Token.Open(Options);
    }

    public SoftHsm Hsm { get; } = null!;

    public Pkcs11Options Options => new(Hsm.LibraryPath, Hsm.TokenLabel, Hsm.Pin);

    public Pkcs11Token Token => _token ?? throw new InvalidOperationException(SoftHsmSkip.Reason);

    public static byte[] NewId() => System.Security.Cryptography.RandomNumberGenerator.GetBytes(16);

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
        {
            _token?.Dispose();
        }
    }
}
