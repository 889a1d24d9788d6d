using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace OctaveML.Ops;

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

    /// <summary>
    /// d[i] = s[2 i] for i in [0, n): the stride-2 gather of a strided convolution's im2col rows. Reads no
    /// further than s[2 (n - 1)]: the vector loop stops a vector short of the end.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void CopyEven(float* s, float* d, int n)
    {
        int i = 0;
        if (Avx512F.IsSupported)
        {
            var even = Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
            for (; i + 16 < n; i += 16)
                Vector512.Store(Avx512F.PermuteVar16x32x2(Vector512.Load(s + 2 * i), even, Vector512.Load(s + 2 * i + 16)), d + i);
        }
        else if (Avx2.IsSupported)
        {
            for (; i + 8 < n; i += 8)
            {
                // [a0 a2 b0 b2 | a4 a6 b4 b6], then the middle 64-bit lanes swapped.
                var pairs = Avx.Shuffle(Vector256.Load(s + 2 * i), Vector256.Load(s + 2 * i + 8), 0b10_00_10_00);
                Vector256.Store(Avx2.Permute4x64(pairs.AsDouble(), 0b11_01_10_00).AsSingle(), d + i);
            }
        }
        for (; i < n; i++) d[i] = s[2 * i];
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
