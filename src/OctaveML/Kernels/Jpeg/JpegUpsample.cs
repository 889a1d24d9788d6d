using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace OctaveML.Kernels.Jpeg;

/// <summary>
/// libjpeg-turbo's "fancy" chroma upsampling (jdsample.c: triangle filters for h2v1, h1v2 and
/// h2v2), bit-exact. The SIMD loops read and write up to 32 elements past the row ends, so callers
/// give every row that much slack.
/// </summary>
internal static unsafe class JpegUpsample
{
    /// <summary>Slack (elements) every input and output row needs beyond its length.</summary>
    public const int Slack = 64;

    /// <summary>colsum[x] = 3 * cur[x] + near[x], the vertical half of h2v2 (x in [0, n)).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ColumnSums(byte* cur, byte* near, short* colsum, int n)
    {
        int x = 0;
        if (Avx2.IsSupported)
            for (; x < n; x += 16)
            {
                var c = Avx2.ConvertToVector256Int16(cur + x);
                Avx.Store(colsum + x, c + c + c + Avx2.ConvertToVector256Int16(near + x));
            }
        else
            for (; x < n; x++) colsum[x] = (short)(3 * cur[x] + near[x]);
    }

    /// <summary>Widens bytes to shorts (the input of h2v1's horizontal filter).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Widen(byte* src, short* dst, int n)
    {
        int x = 0;
        if (Avx2.IsSupported)
            for (; x < n; x += 16) Avx.Store(dst + x, Avx2.ConvertToVector256Int16(src + x));
        else
            for (; x < n; x++) dst[x] = src[x];
    }

    /// <summary>
    /// The horizontal triangle filter: dst[2i] = (3c[i] + c[i-1] + biasEven) &gt;&gt; shift and
    /// dst[2i+1] = (3c[i] + c[i+1] + biasOdd) &gt;&gt; shift for i in [0, n). c[-1] and c[n] must hold
    /// c[0] and c[n-1] (libjpeg's edge columns). h2v1: biases 1, 2, shift 2; h2v2: 8, 7, shift 4.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Horizontal(short* c, int n, byte* dst, int biasEven, int biasOdd, int shift)
    {
        int i = 0;
        if (Avx2.IsSupported)
        {
            var be = Vector256.Create((short)biasEven);
            var bo = Vector256.Create((short)biasOdd);
            for (; i < n; i += 16)
            {
                var cur = Avx.LoadVector256(c + i);
                var t = cur + cur + cur;
                var even = (t + Avx.LoadVector256(c + i - 1) + be) >> shift;
                var odd = (t + Avx.LoadVector256(c + i + 1) + bo) >> shift;
                // In-lane unpack then in-lane pack restores the order: e0 o0 e1 o1 ... e15 o15.
                var bytes = Avx2.PackUnsignedSaturate(Avx2.UnpackLow(even, odd), Avx2.UnpackHigh(even, odd));
                Avx.Store(dst + 2 * i, bytes);
            }
            return;
        }
        for (; i < n; i++)
        {
            int t = 3 * c[i];
            dst[2 * i] = (byte)((t + c[i - 1] + biasEven) >> shift);
            dst[2 * i + 1] = (byte)((t + c[i + 1] + biasOdd) >> shift);
        }
    }

    /// <summary>h1v2: dst[x] = (3 cur[x] + near[x] + bias) &gt;&gt; 2 (bias 1 for the upper output row, 2 for the lower).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Vertical(byte* cur, byte* near, byte* dst, int n, int bias)
    {
        int x = 0;
        if (Avx2.IsSupported)
        {
            var b = Vector256.Create((short)bias);
            for (; x < n; x += 32)
            {
                var c0 = Avx2.ConvertToVector256Int16(cur + x);
                var c1 = Avx2.ConvertToVector256Int16(cur + x + 16);
                var r0 = Avx2.ShiftRightLogical(c0 + c0 + c0 + Avx2.ConvertToVector256Int16(near + x) + b, 2);
                var r1 = Avx2.ShiftRightLogical(c1 + c1 + c1 + Avx2.ConvertToVector256Int16(near + x + 16) + b, 2);
                Avx.Store(dst + x, Avx2.Permute4x64(Avx2.PackUnsignedSaturate(r0, r1).AsInt64(), 0b11_01_10_00).AsByte());
            }
            return;
        }
        for (; x < n; x++) dst[x] = (byte)((3 * cur[x] + near[x] + bias) >> 2);
    }

    /// <summary>Box upsampling by integer factors (libjpeg's int_upsample and h2v1/h2v2 for narrow rows).</summary>
    public static void Replicate(byte* src, int hFactor, byte* dst, int outWidth)
    {
        if (hFactor == 1) { Buffer.MemoryCopy(src, dst, outWidth, outWidth); return; }
        for (int x = 0; x < outWidth; x++) dst[x] = src[x / hFactor];
    }
}
