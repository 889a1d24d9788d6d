using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace OctaveML.Kernels;

/// <summary>
/// The two row operations behind 2x2 pooling and nearest 2x upsampling (and their gradients):
/// summing horizontal pairs of one or two rows, and writing every element of a row twice.
/// AVX2 paths do 8 outputs per step; the scalar loop handles the rest and other machines.
/// </summary>
internal static unsafe class RowPairs
{
    /// <summary>
    /// dst[j] (+)= s * (r0[2j] + r0[2j+1] + r1[2j] + r1[2j+1]) for j &lt; ceil(srcW / 2), with
    /// s = <paramref name="scalePair"/> where both columns exist and <paramref name="scaleSingle"/>
    /// for the last output of an odd <paramref name="srcW"/> (one column). r1 may be null (one row).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void SumPairs(float* r0, float* r1, float* dst, int srcW, float scalePair, float scaleSingle, bool accumulate)
    {
        int pairs = srcW >> 1;
        int j = 0;
        if (Avx2.IsSupported)
        {
            var vs = Vector256.Create(scalePair);
            for (; j <= pairs - 8; j += 8)
            {
                float* a = r0 + 2 * j;
                var h = Avx.HorizontalAdd(Avx.LoadVector256(a), Avx.LoadVector256(a + 8));
                if (r1 != null)
                {
                    float* b = r1 + 2 * j;
                    h = Avx.Add(h, Avx.HorizontalAdd(Avx.LoadVector256(b), Avx.LoadVector256(b + 8)));
                }
                // hadd interleaves the two sources by 128-bit lane; restore order by 64-bit pairs.
                h = Avx2.Permute4x64(h.AsDouble(), 0b11_01_10_00).AsSingle();
                h = Avx.Multiply(h, vs);
                if (accumulate) h = Avx.Add(h, Avx.LoadVector256(dst + j));
                Avx.Store(dst + j, h);
            }
        }
        for (; j < pairs; j++)
        {
            float v = r0[2 * j] + r0[2 * j + 1];
            if (r1 != null) v += r1[2 * j] + r1[2 * j + 1];
            v *= scalePair;
            dst[j] = accumulate ? dst[j] + v : v;
        }
        if ((srcW & 1) != 0)
        {
            float v = r0[srcW - 1];
            if (r1 != null) v += r1[srcW - 1];
            v *= scaleSingle;
            dst[pairs] = accumulate ? dst[pairs] + v : v;
        }
    }

    /// <summary>
    /// dst[j] (+)= s * src[j / 2] for j &lt; <paramref name="dstW"/>, with s = <paramref name="scalePair"/>,
    /// except <paramref name="scaleSingle"/> for the last element when dstW is odd.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Duplicate(float* src, float* dst, int dstW, float scalePair, float scaleSingle, bool accumulate)
    {
        int pairs = dstW >> 1;
        int j = 0;
        if (Avx2.IsSupported)
        {
            var vs = Vector256.Create(scalePair);
            for (; j <= pairs - 8; j += 8)
            {
                var v = Avx.Multiply(Avx.LoadVector256(src + j), vs);
                var lo = Avx.UnpackLow(v, v);   // s0 s0 s1 s1 | s4 s4 s5 s5
                var hi = Avx.UnpackHigh(v, v);  // s2 s2 s3 s3 | s6 s6 s7 s7
                var d0 = Avx.Permute2x128(lo, hi, 0x20);
                var d1 = Avx.Permute2x128(lo, hi, 0x31);
                float* d = dst + 2 * j;
                if (accumulate)
                {
                    d0 = Avx.Add(d0, Avx.LoadVector256(d));
                    d1 = Avx.Add(d1, Avx.LoadVector256(d + 8));
                }
                Avx.Store(d, d0);
                Avx.Store(d + 8, d1);
            }
        }
        for (; j < pairs; j++)
        {
            float v = src[j] * scalePair;
            if (accumulate) { dst[2 * j] += v; dst[2 * j + 1] += v; }
            else { dst[2 * j] = v; dst[2 * j + 1] = v; }
        }
        if ((dstW & 1) != 0)
        {
            float v = src[pairs] * scaleSingle;
            dst[dstW - 1] = accumulate ? dst[dstW - 1] + v : v;
        }
    }
}
