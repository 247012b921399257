using Net.Pkcs11Interop.HighLevelAPI;
using NativePkcs11Exception = Net.Pkcs11Interop.Common.Pkcs11Exception;

namespace Keyhub.Pkcs11;

/// <summary>One loaded and C_Initialize'd PKCS#11 module, shared by every token opened on it.</summary>
internal sealed class SharedModule(string key, Pkcs11InteropFactories factories, IPkcs11Library library) : IDisposable
{
    /// <summary>
    /// SoftHSM2 (2.6.1 and earlier) breaks its file object store when one process changes token objects from
    /// one thread while other threads use the token: C_GenerateKey/C_CreateObject fail at random with
    /// CKR_GENERAL_ERROR or CKR_TEMPLATE_INCONSISTENT (its file locks are fcntl locks, which do not exclude
    /// threads of one process; softhsm/SoftHSMv2#573). For that module a change to token objects waits for
    /// the operations in flight and runs alone; operations still run in parallel with each other.
    /// Other modules are not held back.
    /// </summary>
    private readonly ReaderWriterLockSlim? _objectLock = IsSoftHsm(library) ? new ReaderWriterLockSlim() : null;

    public string Key { get; } = key;

    public Pkcs11InteropFactories Factories { get; } = factories;

    public IPkcs11Library Library { get; } = library;

    public TokenLogins Logins { get; } = new();

    /// <summary>Open <see cref="Pkcs11Token"/>s on this module; guarded by <see cref="ModuleRegistry"/>'s lock.</summary>
    public int References { get; set; }

    /// <summary>Runs an operation on the token (shared with other operations).</summary>
    public T Use<T>(Func<T> operation)
    {
        if (_objectLock is null)
        {
            return operation();
        }

        _objectLock.EnterReadLock();
        try
        {
            return operation();
        }
        finally
        {
            _objectLock.ExitReadLock();
        }
    }

    /// <summary>Runs a change to token objects (generate, create, destroy): alone where the module needs it.</summary>
    public T ChangeObjects<T>(Func<T> change)
    {
        if (_objectLock is null)
        {
            return change();
        }

        _objectLock.EnterWriteLock();
        try
        {
            return change();
        }
        finally
        {
            _objectLock.ExitWriteLock();
        }
    }

    /// <summary>C_Finalize and dlclose; only once no token uses the module.</summary>
    public void Dispose()
    {
        Library.Dispose();
        _objectLock?.Dispose();
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
}
