using System.Reflection;
using System.Runtime.InteropServices;
using Net.Pkcs11Interop.HighLevelAPI;

namespace Keyhub.Pkcs11;

/// <summary>
/// Pkcs11Interop 5.3.0 P/Invokes <c>dlopen</c> from "libdl". glibc 2.34+ folded libdl into libc and ships
/// only <c>libdl.so.2</c> (the unversioned <c>libdl.so</c> comes with libc6-dev), so on Debian 12 the
/// first library load fails with DllNotFoundException. The resolver maps the name to the versioned file.
/// </summary>
internal static class LibdlResolver
{
    private static readonly Lock Gate = new();
    private static bool _registered;

    /// <summary>Registers the resolver once per process; must run before Pkcs11Interop's first dlopen.</summary>
    public static void EnsureRegistered()
    {
        lock (Gate)
        {
            if (_registered)
            {
                return;
            }

            try
            {
                NativeLibrary.SetDllImportResolver(typeof(Pkcs11InteropFactories).Assembly, Resolve);
            }
            catch (InvalidOperationException)
            {
                // Someone else in the process already set a resolver for Pkcs11Interop (only one is
                // allowed per assembly); theirs has to know about libdl too.
            }

            _registered = true;
        }
    }

    private static IntPtr Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (libraryName == "libdl" && OperatingSystem.IsLinux() && NativeLibrary.TryLoad("libdl.so.2", out var handle))
        {
            return handle;
        }

        // Zero falls back to the runtime's default probing.
        return IntPtr.Zero;
    }
}
