namespace OctaveML.Threading;

/// <summary>
/// One growable float buffer per thread for the convolution kernels' temporaries (im2col tiles,
/// padded planes), so steady-state calls allocate nothing large. A kernel work item takes the buffer
/// once and must not call another kernel that uses it while holding it.
/// </summary>
internal static class ThreadScratch
{
    [ThreadStatic] private static float[]? _buffer;

    /// <summary>This thread's buffer, at least <paramref name="length"/> floats long (contents undefined).</summary>
    public static float[] Get(int length)
    {
        var b = _buffer;
        if (b is null || b.Length < length)
        {
            // Grow geometrically so slowly growing requests do not reallocate every call.
            int size = (int)Math.Min(Array.MaxLength, Math.Max(length, (long)(b?.Length ?? 0) * 3 / 2));
            _buffer = b = GC.AllocateUninitializedArray<float>(size, pinned: true);
        }
        return b;
    }
}
