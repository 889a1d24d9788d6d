namespace OctaveML.TorchSharp.Native;

/// <summary>
/// glibc's malloc as libtorch on a CPU needs it. libtorch's activation buffers are larger than glibc's
/// mmap threshold, so every step maps and unmaps them and pays the page faults again; keeping them on the
/// heap (no mmap, no trimming, a 256 MB top pad: PyTorch's documented MALLOC_MMAP_MAX_ / MALLOC_TRIM_THRESHOLD_ /
/// MALLOC_TOP_PAD_ settings, applied at run time by mallopt) removes that cost. Peak memory stays at its
/// high-water mark instead of falling between steps.
/// </summary>
internal static class GlibcMalloc
{
    private static readonly string[] UserSettings = ["MALLOC_MMAP_MAX_", "MALLOC_TRIM_THRESHOLD_", "MALLOC_TOP_PAD_", "MALLOC_MMAP_THRESHOLD_", "LD_PRELOAD"];

    /// <summary>
    /// Applies the settings on glibc unless the user chose an allocator or malloc settings of their own
    /// (one of the MALLOC_* variables, or LD_PRELOAD); true when applied.
    /// </summary>
    public static bool KeepBuffersOnHeap()
    {
        if (!OperatingSystem.IsLinux() || !Libc.IsGlibc) return false;
        if (UserSettings.Any(v => !string.IsNullOrEmpty(Environment.GetEnvironmentVariable(v)))) return false;
        return Libc.Mallopt(Libc.M_MMAP_MAX, 0)
            & Libc.Mallopt(Libc.M_TRIM_THRESHOLD, int.MaxValue)
            & Libc.Mallopt(Libc.M_TOP_PAD, 256 << 20);
    }
}
