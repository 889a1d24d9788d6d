using System.Runtime.InteropServices;
using System.Text;

namespace OctaveML.TorchSharp.Native;

/// <summary>
/// The C library's setenv and, on glibc, mallopt: native code (oneDNN, glibc's allocator) reads the C
/// environment, which .NET's Environment.SetEnvironmentVariable does not change on Unix.
/// </summary>
internal static unsafe class Libc
{
    private static readonly nint Handle = Load();

    private static nint Load()
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS() && !OperatingSystem.IsFreeBSD()) return 0;
        foreach (string name in (ReadOnlySpan<string>)["libc.so.6", "libc", "libSystem.dylib"])
            if (NativeLibrary.TryLoad(name, out nint handle)) return handle;
        return 0;
    }

    private static nint Export(string name) => Handle != 0 && NativeLibrary.TryGetExport(Handle, name, out nint f) ? f : 0;

    /// <summary>True on glibc (where mallopt takes the M_* parameters below).</summary>
    public static bool IsGlibc => Export("gnu_get_libc_version") != 0;

    /// <summary>Sets a variable of the C environment (and .NET's view of it).</summary>
    public static void SetEnvironmentVariable(string name, string value)
    {
        Environment.SetEnvironmentVariable(name, value);
        nint setenv = Export("setenv");
        if (setenv == 0) return; // Windows: the process environment block is the one native code reads
        fixed (byte* n = Encoding.UTF8.GetBytes(name + "\0"), v = Encoding.UTF8.GetBytes(value + "\0"))
            if (((delegate* unmanaged<byte*, byte*, int, int>)setenv)(n, v, 1) != 0)
                throw new InvalidOperationException($"setenv({name}) failed.");
    }

    /// <summary>A variable of the C environment as native code sees it (null when unset or there is no C library here).</summary>
    public static string? GetEnvironmentVariable(string name)
    {
        nint getenv = Export("getenv");
        if (getenv == 0) return Environment.GetEnvironmentVariable(name);
        fixed (byte* n = Encoding.UTF8.GetBytes(name + "\0"))
            return Marshal.PtrToStringUTF8((nint)((delegate* unmanaged<byte*, byte*>)getenv)(n));
    }

    /// <summary>glibc's mallopt(param, value); false when it refused or this is no glibc.</summary>
    public static bool Mallopt(int param, int value)
    {
        nint mallopt = IsGlibc ? Export("mallopt") : 0;
        return mallopt != 0 && ((delegate* unmanaged<int, int, int>)mallopt)(param, value) == 1;
    }

    /// <summary>mallopt parameters (glibc's malloc.h).</summary>
    public const int M_TRIM_THRESHOLD = -1, M_TOP_PAD = -2, M_MMAP_MAX = -4;
}
