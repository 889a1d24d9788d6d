using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace OctaveML.Kernels;

/// <summary>
/// Copy and add of short float rows (a few to a few dozen floats: im2col/col2im rows of small maps) in
/// the widest vectors that fit, inlined: at these lengths a memmove or TensorPrimitives call costs more
/// than moving the data (measured 2x for im2col and up to 10x for col2im on 7 to 28 px maps).
/// </summary>
internal static class ShortRows
{
    /// <summary>d[0..n) = s[0..n) (s and d must not overlap).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Copy(float* s, float* d, int n)
    {
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
            for (; i <= n - 16; i += 16) Vector512.Store(Vector512.Load(s + i), d + i);
        for (; i <= n - 8; i += 8) Vector256.Store(Vector256.Load(s + i), d + i);
        for (; i <= n - 4; i += 4) Vector128.Store(Vector128.Load(s + i), d + i);
        for (; i < n; i++) d[i] = s[i];
    }

    /// <summary>d[0..n) = 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Clear(float* d, int n)
    {
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
            for (; i <= n - 16; i += 16) Vector512.Store(Vector512<float>.Zero, d + i);
        for (; i <= n - 8; i += 8) Vector256.Store(Vector256<float>.Zero, d + i);
        for (; i < n; i++) d[i] = 0;
    }

    /// <summary>d[0..n) += s[0..n), element by element (the same sums as a scalar loop).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void AddTo(float* s, float* d, int n)
    {
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
            for (; i <= n - 16; i += 16) Vector512.Store(Vector512.Load(d + i) + Vector512.Load(s + i), d + i);
        for (; i <= n - 8; i += 8) Vector256.Store(Vector256.Load(d + i) + Vector256.Load(s + i), d + i);
        for (; i <= n - 4; i += 4) Vector128.Store(Vector128.Load(d + i) + Vector128.Load(s + i), d + i);
        for (; i < n; i++) d[i] += s[i];
    }
}
