using System.Collections.Concurrent;
using Net.Pkcs11Interop.Common;
using Net.Pkcs11Interop.HighLevelAPI;
using NativePkcs11Exception = Net.Pkcs11Interop.Common.Pkcs11Exception;

namespace Keyhub.Pkcs11;

/// <summary>
/// R/W sessions of one token, each lent to one thread at a time (a PKCS#11 session holds one active
/// operation, so it must not be shared). Sessions open lazily up to <see cref="Size"/>. A session whose
/// operation failed inside the module is closed rather than returned, so an operation the module left
/// half-done cannot leak into the next caller. The login lives in a separate anchor session kept by
/// <see cref="Pkcs11Token"/>, so closing pooled sessions never logs the token out.
/// </summary>
internal sealed class SessionPool
{
    private readonly ISlot _slot;
    private readonly ConcurrentBag<ISession> _idle = [];
    private readonly SemaphoreSlim _lent;
    private volatile bool _disposed;

    public SessionPool(ISlot slot, int size)
    {
        _slot = slot;
        Size = size;
        _lent = new SemaphoreSlim(size, size);
    }

    public int Size { get; }

    public T Run<T>(Func<ISession, T> operation)
    {
        ObjectDisposedException.ThrowIf(_disposed, typeof(Pkcs11Token));
        _lent.Wait();
        ISession? session = null;
        var keep = true;
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, typeof(Pkcs11Token));
            session = _idle.TryTake(out var idle) ? idle : _slot.OpenSession(SessionType.ReadWrite);
            return operation(session);
        }
        catch (NativePkcs11Exception)
        {
            keep = false;
            throw;
        }
        finally
        {
            if (session is not null)
            {
                if (keep && !_disposed)
                {
                    _idle.Add(session);
                }
                else
                {
                    CloseQuietly(session);
                }
            }

            _lent.Release();
        }
    }

    /// <summary>Waits for lent sessions to come back, then closes them all; later calls throw ObjectDisposedException.</summary>
    public void Close()
    {
        _disposed = true;
        for (var i = 0; i < Size; i++)
        {
            _lent.Wait();
        }

        while (_idle.TryTake(out var session))
        {
            CloseQuietly(session);
        }

        // Threads that were queued behind the drain see _disposed and throw ObjectDisposedException.
        _lent.Release(Size);
    }

    private static void CloseQuietly(ISession session)
    {
        try
        {
            session.Dispose();
        }
        catch (NativePkcs11Exception)
        {
            // Already gone (the module or the token went away); nothing left to release.
        }
    }
}
