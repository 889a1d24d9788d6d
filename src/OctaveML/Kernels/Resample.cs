using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace OctaveML.Kernels;

/// <summary>
/// Separable antialiased bilinear resampling of 8-bit interleaved images, computed the way Pillow's
/// <c>Image.resize(size, Image.BILINEAR)</c> (Pillow 7 and later) computes it, so the two agree to the
/// byte: a triangle filter whose support grows with the shrink factor, weights normalised per output
/// pixel and rounded to 22-bit fixed point, a horizontal pass into 8-bit rows, then a vertical pass.
/// </summary>
internal static class Resample
{
    private const int PrecisionBits = 32 - 8 - 2;

    /// <summary>Filter taps of the output indices [first, first + count) of a resize from inSize to outSize.</summary>
    internal sealed class Coefficients
    {
        public required int KSize { get; init; }
        /// <summary>Per output index: first input index and number of taps.</summary>
        public required int[] Start { get; init; }
        public required int[] Count { get; init; }
        /// <summary>KSize fixed-point weights per output index.</summary>
        public required int[] Weights { get; init; }
    }

    public static Coefficients Precompute(int inSize, int outSize, int first, int count)
    {
        double scale = (double)inSize / outSize;
        double filterScale = Math.Max(scale, 1.0);
        double support = 1.0 * filterScale; // the triangle filter's support is 1
        int ksize = (int)Math.Ceiling(support) * 2 + 1;
        var start = new int[count];
        var taps = new int[count];
        var weights = new int[count * ksize];
        var w = new double[ksize];
        for (int i = 0; i < count; i++)
        {
            int xx = first + i;
            double center = (xx + 0.5) * scale;
            double ss = 1.0 / filterScale;
            int xmin = Math.Max(0, (int)(center - support + 0.5));
            int xmax = Math.Min(inSize, (int)(center + support + 0.5)) - xmin;
            xmax = Math.Min(xmax, ksize);
            double sum = 0;
            for (int x = 0; x < xmax; x++)
            {
                double t = Math.Abs((x + xmin - center + 0.5) * ss);
                w[x] = t < 1.0 ? 1.0 - t : 0.0;
                sum += w[x];
            }
            for (int x = 0; x < xmax; x++)
            {
                double k = sum != 0.0 ? w[x] / sum : w[x];
                weights[i * ksize + x] = (int)(k < 0 ? -0.5 + k * (1 << PrecisionBits) : 0.5 + k * (1 << PrecisionBits));
            }
            start[i] = xmin;
            taps[i] = Math.Max(0, xmax);
        }
        return new Coefficients { KSize = ksize, Start = start, Count = taps, Weights = weights };
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static byte Clip8(int v)
    {
        v >>= PrecisionBits;
        return (byte)(v < 0 ? 0 : v > 255 ? 255 : v);
    }

    /// <summary>
    /// Horizontal pass: rows [rowStart, rowEnd) of <paramref name="src"/> (width srcWidth, c channels)
    /// into <paramref name="dst"/> rows of cx.Start.Length pixels, row r going to dst row r - rowStart.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void Horizontal(ReadOnlySpan<byte> src, int srcWidth, int channels, int rowStart, int rowEnd, Coefficients cx, Span<byte> dst)
    {
        int outWidth = cx.Start.Length;
        int ksize = cx.KSize;
        int srcStride = srcWidth * channels, dstStride = outWidth * channels;
        const int half = 1 << (PrecisionBits - 1);
        fixed (byte* s0 = src)
        fixed (byte* d0 = dst)
        fixed (int* kk = cx.Weights)
        fixed (int* starts = cx.Start)
        fixed (int* counts = cx.Count)
        {
            for (int y = rowStart; y < rowEnd; y++)
            {
                byte* srow = s0 + (long)y * srcStride;
                byte* drow = d0 + (long)(y - rowStart) * dstStride;
                if (channels == 3 && Vector128.IsHardwareAccelerated)
                {
                    // One pixel's three channels in the lanes of a vector (the fourth lane reads the next
                    // byte and is discarded); the last output pixels of the last row, where that byte
                    // would be past the end of the image, take the scalar path.
                    long rowEnd3 = src.Length - (long)y * srcStride;
                    var hv = Vector128.Create(half);
                    for (int x = 0; x < outWidth; x++)
                    {
                        int* k = kk + x * ksize;
                        int n = counts[x];
                        byte* p = srow + starts[x] * 3;
                        if ((starts[x] + n) * 3L + 1 > rowEnd3)
                        {
                            int a0 = half, a1 = half, a2 = half;
                            for (int t = 0; t < n; t++, p += 3)
                            {
                                int w = k[t];
                                a0 += p[0] * w; a1 += p[1] * w; a2 += p[2] * w;
                            }
                            drow[3 * x] = Clip8(a0); drow[3 * x + 1] = Clip8(a1); drow[3 * x + 2] = Clip8(a2);
                            continue;
                        }
                        Vector128<int> acc = hv;
                        for (int t = 0; t < n; t++, p += 3)
                        {
                            Vector128<int> px = Vector128.WidenLower(Vector128.WidenLower(Vector128.CreateScalar(Unsafe.ReadUnaligned<uint>(p)).AsByte())).AsInt32();
                            acc += px * Vector128.Create(k[t]);
                        }
                        acc = Vector128.Min(Vector128.Max(Vector128.ShiftRightArithmetic(acc, PrecisionBits), Vector128<int>.Zero), Vector128.Create(255));
                        drow[3 * x] = (byte)acc.GetElement(0); drow[3 * x + 1] = (byte)acc.GetElement(1); drow[3 * x + 2] = (byte)acc.GetElement(2);
                    }
                }
                else if (channels == 3)
                {
                    for (int x = 0; x < outWidth; x++)
                    {
                        int* k = kk + x * ksize;
                        byte* p = srow + starts[x] * 3;
                        int n = counts[x];
                        int a0 = half, a1 = half, a2 = half;
                        for (int t = 0; t < n; t++, p += 3)
                        {
                            int w = k[t];
                            a0 += p[0] * w; a1 += p[1] * w; a2 += p[2] * w;
                        }
                        drow[3 * x] = Clip8(a0); drow[3 * x + 1] = Clip8(a1); drow[3 * x + 2] = Clip8(a2);
                    }
                }
                else
                {
                    for (int x = 0; x < outWidth; x++)
                    {
                        int* k = kk + x * ksize;
                        int n = counts[x];
                        for (int ch = 0; ch < channels; ch++)
                        {
                            byte* p = srow + starts[x] * channels + ch;
                            int a = half;
                            for (int t = 0; t < n; t++, p += channels) a += *p * k[t];
                            drow[x * channels + ch] = Clip8(a);
                        }
                    }
                }
            }
        }
    }

    /// <summary>
    /// Vertical pass: output rows [first, end) of the coefficient set <paramref name="cy"/>, reading
    /// rows of <paramref name="src"/> (rowBytes wide) where input row r is at src row r - srcRowOffset.
    /// Output row i goes to dst row i - first. Vectorised across the row: every byte of a row shares the weights.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void Vertical(ReadOnlySpan<byte> src, int rowBytes, int srcRowOffset, Coefficients cy, int first, int end, Span<byte> dst)
    {
        int ksize = cy.KSize;
        const int half = 1 << (PrecisionBits - 1);
        fixed (byte* s0 = src)
        fixed (byte* d0 = dst)
        fixed (int* kk = cy.Weights)
        {
            for (int i = first; i < end; i++)
            {
                int* k = kk + i * ksize;
                int n = cy.Count[i];
                byte* rows = s0 + (long)(cy.Start[i] - srcRowOffset) * rowBytes;
                byte* drow = d0 + (long)(i - first) * rowBytes;
                int x = 0;
                if (Vector256.IsHardwareAccelerated)
                {
                    var h = Vector256.Create(half);
                    var max = Vector256.Create(255);
                    for (; x + 16 <= rowBytes; x += 16)
                    {
                        Vector256<int> acc0 = h, acc1 = h;
                        byte* p = rows + x;
                        for (int t = 0; t < n; t++, p += rowBytes)
                        {
                            var wv = Vector256.Create(k[t]);
                            Vector256<ushort> u = Vector256.WidenLower(Vector128.Load(p).ToVector256Unsafe());
                            acc0 += Vector256.WidenLower(u).AsInt32() * wv;
                            acc1 += Vector256.WidenUpper(u).AsInt32() * wv;
                        }
                        acc0 = Vector256.Min(Vector256.Max(Vector256.ShiftRightArithmetic(acc0, PrecisionBits), Vector256<int>.Zero), max);
                        acc1 = Vector256.Min(Vector256.Max(Vector256.ShiftRightArithmetic(acc1, PrecisionBits), Vector256<int>.Zero), max);
                        Vector256<ushort> s16 = Vector256.Narrow(acc0.AsUInt32(), acc1.AsUInt32());
                        Vector128<byte> b8 = Vector128.Narrow(s16.GetLower(), s16.GetUpper());
                        b8.Store(drow + x);
                    }
                }
                for (; x < rowBytes; x++)
                {
                    byte* p = rows + x;
                    int a = half;
                    for (int t = 0; t < n; t++, p += rowBytes) a += *p * k[t];
                    drow[x] = Clip8(a);
                }
            }
        }
    }
}
