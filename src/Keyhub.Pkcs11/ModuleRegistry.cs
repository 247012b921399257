using Net.Pkcs11Interop.Common;
using Net.Pkcs11Interop.HighLevelAPI;
using NativePkcs11Exception = Net.Pkcs11Interop.Common.Pkcs11Exception;

namespace Keyhub.Pkcs11;

/// <summary>
/// Loads each PKCS#11 module once per process and counts its users. A module is one global state per
/// process: a second C_Initialize answers CKR_CRYPTOKI_ALREADY_INITIALIZED and any C_Finalize ends every
/// session of every user, so two tokens of one library, or open → dispose → open, must share one load.
/// The last user to leave finalizes and unloads it; the next open loads it afresh, which is also when a
/// module such as SoftHSM2 rescans its tokens.
/// </summary>
internal static class ModuleRegistry
{
    private static readonly Lock Gate = new();
    private static readonly Dictionary<string, SharedModule> Modules = new(StringComparer.Ordinal);

    /// <param name="alreadyLoaded">Whether another token had the module loaded (so it was not rescanned).</param>
    public static SharedModule Acquire(string libraryPath, out bool alreadyLoaded)
    {
        LibdlResolver.EnsureRegistered();
        var key = libraryPath.Contains('/', StringComparison.Ordinal) || libraryPath.Contains('\\', StringComparison.Ordinal)
            ? Path.GetFullPath(libraryPath)
            : libraryPath;
        lock (Gate)
        {
            alreadyLoaded = Modules.TryGetValue(key, out var module);
            if (module is null)
            {
                module = Load(key);
                Modules.Add(key, module);
            }

            module.References++;
            return module;
        }
    }

    public static void Release(SharedModule module)
    {
        lock (Gate)
        {
            if (--module.References > 0)
            {
                return;
            }

            Modules.Remove(module.Key);
            module.Dispose();
        }
    }

    private static SharedModule Load(string path)
    {
        var factories = new Pkcs11InteropFactories();
        try
        {
            // Multi-threaded: the module uses OS locking, so sessions can be used from several threads at once.
            // Pkcs11Interop accepts CKR_CRYPTOKI_ALREADY_INITIALIZED (someone outside Keyhub initialized it).
            var library = factories.Pkcs11LibraryFactory.LoadPkcs11Library(factories, path, AppType.MultiThreaded);
            return new SharedModule(path, factories, library);
        }
        catch (NativePkcs11Exception e)
        {
            throw new Pkcs11Exception($"the PKCS#11 library {path} failed to initialize ({e.RV})", e);
        }
        catch (Exception e) when (e is UnmanagedException or DllNotFoundException or EntryPointNotFoundException or LibraryArchitectureException)
        {
            throw new Pkcs11Exception($"the PKCS#11 library {path} could not be loaded: {e.Message}", e);
        }
    }
}
