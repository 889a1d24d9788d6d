using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace OctaveML.Ops;

/// <summary>
/// The resolution changes of an octave convolution, on one image's [C, H, W] planes: 2x2 average
/// pooling in ceil mode (each window averaged over the pixels it covers, so an HxW map becomes
/// ceil(H/2) x ceil(W/2)), nearest 2x upsampling cropped to a size and added in the same pass, and
/// the adjoints of both. Also the stride-1 im2col/col2im the octave GEMMs run on.
/// </summary>
internal static class OctaveResample
{
    /// <summary>Which instruction set the resampling loops use; every level gives the same bits.</summary>
    internal enum Simd { Scalar = 0, Avx2 = 256, Avx512 = 512 }

    // The public entry points forward to these with the best level. The implementations are NoInlining:
    // inlined into a forwarder's tier-1 (PGO) code they can run up to 3x slower.

    /// <summary>The widest level this machine runs (tests force the narrower ones).</summary>
    internal static readonly Simd Best =
        Avx512F.IsSupported && Vector512.IsHardwareAccelerated ? Simd.Avx512 : Avx2.IsSupported ? Simd.Avx2 : Simd.Scalar;

    /// <summary>y[c] = avgpool2x2_ceil(x[c]) for <paramref name="channels"/> planes of h x w.</summary>
    public static void Pool(ReadOnlySpan<float> x, int channels, int h, int w, Span<float> y) => Pool(x, channels, h, w, y, Best);

    /// <inheritdoc cref="Pool(ReadOnlySpan{float}, int, int, int, Span{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.NoInlining)]
    internal static unsafe void Pool(ReadOnlySpan<float> x, int channels, int h, int w, Span<float> y, Simd level)
    {
        int ho = (h + 1) / 2, wo = (w + 1) / 2, wPairs = w / 2;
        CheckLength("x", x.Length, (long)channels * h * w);
        CheckLength("y", y.Length, (long)channels * ho * wo);
        if (level == Simd.Scalar || wPairs < MinVectorPairs)
        {
            PoolScalar(x, channels, h, w, y);
            return;
        }
        var tail = level == Simd.Avx512 ? new Tail512(wPairs) : default;
        fixed (float* px = x, py = y)
        {
            for (int c = 0; c < channels; c++)
            {
                float* xp = px + (long)c * h * w, yp = py + (long)c * ho * wo;
                for (int i = 0; i < ho; i++)
                {
                    float* a = xp + 2 * i * w, yr = yp + i * wo;
                    if (2 * i + 1 < h)
                    {
                        float* b = a + w;
                        PoolRows(a, b, yr, wPairs, level, tail);
                        if (wo > wPairs) yr[wPairs] = (a[w - 1] + b[w - 1]) * 0.5f;
                    }
                    else
                    {
                        PoolRow(a, yr, wPairs, level, tail);
                        if (wo > wPairs) yr[wPairs] = a[w - 1];
                    }
                }
            }
        }
    }

    /// <summary>dx[c] += adjoint of <see cref="Pool(ReadOnlySpan{float}, int, int, int, Span{float})"/> applied to dy[c] (dx is h x w, dy ceil-halved).</summary>
    public static void PoolBackwardAdd(ReadOnlySpan<float> dy, int channels, int h, int w, Span<float> dx) => PoolBackwardAdd(dy, channels, h, w, dx, Best);

    /// <inheritdoc cref="PoolBackwardAdd(ReadOnlySpan{float}, int, int, int, Span{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.NoInlining)]
    internal static unsafe void PoolBackwardAdd(ReadOnlySpan<float> dy, int channels, int h, int w, Span<float> dx, Simd level)
    {
        int ho = (h + 1) / 2, wo = (w + 1) / 2, wPairs = w / 2;
        CheckLength("dy", dy.Length, (long)channels * ho * wo);
        CheckLength("dx", dx.Length, (long)channels * h * w);
        if (level == Simd.Scalar || wPairs < MinVectorPairs)
        {
            PoolBackwardAddScalar(dy, channels, h, w, dx);
            return;
        }
        if (level == Simd.Avx512 && RowPair512.Fits(w))
        {
            PoolBackwardAddRowPairs(dy, channels, h, w, dx);
            return;
        }
        fixed (float* pdy = dy, pdx = dx)
        {
            for (int c = 0; c < channels; c++)
            {
                float* dyp = pdy + (long)c * ho * wo, dxp = pdx + (long)c * h * w;
                for (int r = 0; r < h; r++)
                {
                    int i = r >> 1;
                    float rowScale = 2 * i + 1 < h ? 0.5f : 1f;
                    float* dyr = dyp + i * wo, dxr = dxp + r * w;
                    AddDuplicated(dyr, rowScale * 0.5f, scaled: true, dxr, wPairs, level);
                    if (wo > wPairs) dxr[w - 1] += dyr[wo - 1] * rowScale;
                }
            }
        }
    }

    /// <summary>
    /// y[c][i, j] += z[c][i / 2, j / 2] for i &lt; h, j &lt; w: nearest 2x upsampling of the zh x zw map z, cropped
    /// to h x w and added. z's planes are <paramref name="zStride"/> apart (0 = zh*zw).
    /// </summary>
    public static void UpsampleAdd(ReadOnlySpan<float> z, int channels, int zh, int zw, Span<float> y, int h, int w, int zStride = 0) =>
        UpsampleAdd(z, channels, zh, zw, y, h, w, zStride, Best);

    /// <inheritdoc cref="UpsampleAdd(ReadOnlySpan{float}, int, int, int, Span{float}, int, int, int)"/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.NoInlining)]
    internal static unsafe void UpsampleAdd(ReadOnlySpan<float> z, int channels, int zh, int zw, Span<float> y, int h, int w, int zStride, Simd level)
    {
        if (zStride == 0) zStride = zh * zw;
        CheckUpsampleShapes(zh, zw, h, w);
        if (channels > 0) CheckLength("z", z.Length, (long)(channels - 1) * zStride + zh * zw);
        CheckLength("y", y.Length, (long)channels * h * w);
        int wPairs = w / 2;
        if (level == Simd.Scalar || wPairs < MinVectorPairs)
        {
            UpsampleAddScalar(z, channels, zh, zw, y, h, w, zStride);
            return;
        }
        if (level == Simd.Avx512 && RowPair512.Fits(w))
        {
            UpsampleAddRowPairs(z, channels, zh, zw, y, h, w, zStride);
            return;
        }
        fixed (float* pz = z, py = y)
        {
            for (int c = 0; c < channels; c++)
            {
                float* zp = pz + (long)c * zStride, yp = py + (long)c * h * w;
                for (int i = 0; i < h; i++)
                {
                    float* zr = zp + (i >> 1) * zw, yr = yp + i * w;
                    AddDuplicated(zr, 1f, scaled: false, yr, wPairs, level);
                    if (2 * wPairs < w) yr[w - 1] += zr[w >> 1];
                }
            }
        }
    }

    /// <summary>
    /// dz = adjoint of <see cref="UpsampleAdd(ReadOnlySpan{float}, int, int, int, Span{float}, int, int, int)"/>: each dz
    /// element is the sum of the dy pixels its 2x2 block covers inside h x w (0 outside). dz's planes are
    /// <paramref name="zStride"/> apart (0 = zh*zw).
    /// </summary>
    public static void UpsampleBackward(ReadOnlySpan<float> dy, int channels, int h, int w, Span<float> dz, int zh, int zw, int zStride = 0) =>
        UpsampleBackward(dy, channels, h, w, dz, zh, zw, zStride, Best);

    /// <inheritdoc cref="UpsampleBackward(ReadOnlySpan{float}, int, int, int, Span{float}, int, int, int)"/>
    /// <remarks>
    /// Each dz row is written once from its two dy rows, in the order of a loop accumulating into a zeroed dz:
    /// (0 + (dy[2i,2j] + dy[2i,2j+1])) + (dy[2i+1,2j] + dy[2i+1,2j+1]). The 0 + turns a -0 sum into +0, as that loop does.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.NoInlining)]
    internal static unsafe void UpsampleBackward(ReadOnlySpan<float> dy, int channels, int h, int w, Span<float> dz, int zh, int zw, int zStride, Simd level)
    {
        if (zStride == 0) zStride = zh * zw;
        CheckUpsampleShapes(zh, zw, h, w);
        CheckLength("dy", dy.Length, (long)channels * h * w);
        if (channels > 0) CheckLength("dz", dz.Length, (long)(channels - 1) * zStride + zh * zw);
        int wPairs = w / 2, rowsCovered = (h + 1) / 2, colsCovered = (w + 1) / 2;
        if (level == Simd.Scalar || wPairs < MinVectorPairs)
        {
            UpsampleBackwardScalar(dy, channels, h, w, dz, zh, zw, zStride);
            return;
        }
        var tail = level == Simd.Avx512 ? new Tail512(wPairs) : default;
        fixed (float* pdy = dy, pdz = dz)
        {
            // A literal level per call lets the JIT drop the other level's code: with both inlined, the AVX-512
            // tail masks and permute tables spill and are reloaded on every row.
            if (level == Simd.Avx512) UpsampleBackwardRows(pdy, channels, h, w, pdz, zw, zStride, Simd.Avx512, tail);
            else UpsampleBackwardRows(pdy, channels, h, w, pdz, zw, zStride, Simd.Avx2, tail);
            // dz larger than the block cover (rare): zero the rest in its own pass, since calls in the loop
            // above would make the JIT reload the tail masks on every row.
            if (colsCovered < zw || rowsCovered < zh)
                for (int c = 0; c < channels; c++)
                {
                    float* dzp = pdz + (long)c * zStride;
                    for (int i = 0; i < rowsCovered; i++) new Span<float>(dzp + i * zw + colsCovered, zw - colsCovered).Clear();
                    new Span<float>(dzp + rowsCovered * zw, (zh - rowsCovered) * zw).Clear();
                }
        }
    }

    /// <summary>The covered dz rows of <see cref="UpsampleBackward(ReadOnlySpan{float}, int, int, int, Span{float}, int, int, int, Simd)"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void UpsampleBackwardRows(float* pdy, int channels, int h, int w, float* pdz, int zw, int zStride, Simd level, in Tail512 tail)
    {
        int wPairs = w / 2, rowsCovered = (h + 1) / 2, colsCovered = (w + 1) / 2;
        for (int c = 0; c < channels; c++)
        {
            float* dyp = pdy + (long)c * h * w, dzp = pdz + (long)c * zStride;
            for (int i = 0; i < rowsCovered; i++)
            {
                float* a = dyp + 2 * i * w, dzr = dzp + i * zw;
                if (2 * i + 1 < h)
                {
                    float* b = a + w;
                    SumPairRows(a, b, dzr, wPairs, level, tail);
                    if (colsCovered > wPairs) dzr[wPairs] = (0f + a[w - 1]) + b[w - 1];
                }
                else
                {
                    SumPairRow(a, dzr, wPairs, level, tail);
                    if (colsCovered > wPairs) dzr[wPairs] = 0f + a[w - 1];
                }
            }
        }
    }

    /// <summary>
    /// <see cref="PoolBackwardAdd(ReadOnlySpan{float}, int, int, int, Span{float}, Simd)"/> for even widths 8 to 16 on
    /// AVX-512, two dx rows per step. Its own loop: folding the row pairs into the general loop slowed that loop down.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void PoolBackwardAddRowPairs(ReadOnlySpan<float> dy, int channels, int h, int w, Span<float> dx)
    {
        int ho = (h + 1) / 2, wo = w / 2;
        var pairs = new RowPair512(w);
        const float fullScale = 0.5f * 0.5f, lastRowScale = 1f * 0.5f;   // rowScale * 0.5f of the general loop
        fixed (float* pdy = dy, pdx = dx)
        {
            for (int c = 0; c < channels; c++)
            {
                float* dyp = pdy + (long)c * ho * wo, dxp = pdx + (long)c * h * w;
                for (int i = 0; i < h / 2; i++) AddDuplicatedTwoRows(dyp + i * wo, fullScale, scaled: true, dxp + 2 * i * w, pairs);
                if ((h & 1) != 0) AddDuplicated(dyp + (h / 2) * wo, lastRowScale, scaled: true, dxp + (h - 1) * w, wo, Simd.Avx512);
            }
        }
    }

    /// <summary><see cref="UpsampleAdd(ReadOnlySpan{float}, int, int, int, Span{float}, int, int, int, Simd)"/> for even widths 8 to 16 on AVX-512, two y rows per step.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void UpsampleAddRowPairs(ReadOnlySpan<float> z, int channels, int zh, int zw, Span<float> y, int h, int w, int zStride)
    {
        var pairs = new RowPair512(w);
        fixed (float* pz = z, py = y)
        {
            for (int c = 0; c < channels; c++)
            {
                float* zp = pz + (long)c * zStride, yp = py + (long)c * h * w;
                for (int i = 0; i < h / 2; i++) AddDuplicatedTwoRows(zp + i * zw, 1f, scaled: false, yp + 2 * i * w, pairs);
                if ((h & 1) != 0) AddDuplicated(zp + (h / 2) * zw, 1f, scaled: false, yp + (h - 1) * w, w / 2, Simd.Avx512);
            }
        }
    }

    // Scalar loops: the Scalar level and maps narrower than 8. Separate small methods, because the vector
    // methods' own scalar tails run ~15% slower on 7-wide maps (the unused vector paths crowd the registers).

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PoolScalar(ReadOnlySpan<float> x, int channels, int h, int w, Span<float> y)
    {
        int ho = (h + 1) / 2, wo = (w + 1) / 2, wPairs = w / 2;
        for (int c = 0; c < channels; c++)
        {
            ReadOnlySpan<float> xp = x.Slice(c * h * w, h * w);
            Span<float> yp = y.Slice(c * ho * wo, ho * wo);
            for (int i = 0; i < ho; i++)
            {
                ReadOnlySpan<float> a = xp.Slice(2 * i * w, w);
                Span<float> yr = yp.Slice(i * wo, wo);
                if (2 * i + 1 < h)
                {
                    ReadOnlySpan<float> b = xp.Slice((2 * i + 1) * w, w);
                    for (int j = 0; j < wPairs; j++)
                        yr[j] = (a[2 * j] + a[2 * j + 1] + b[2 * j] + b[2 * j + 1]) * 0.25f;
                    if (wo > wPairs) yr[wPairs] = (a[w - 1] + b[w - 1]) * 0.5f;
                }
                else
                {
                    for (int j = 0; j < wPairs; j++)
                        yr[j] = (a[2 * j] + a[2 * j + 1]) * 0.5f;
                    if (wo > wPairs) yr[wPairs] = a[w - 1];
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PoolBackwardAddScalar(ReadOnlySpan<float> dy, int channels, int h, int w, Span<float> dx)
    {
        int ho = (h + 1) / 2, wo = (w + 1) / 2;
        for (int c = 0; c < channels; c++)
        {
            ReadOnlySpan<float> dyp = dy.Slice(c * ho * wo, ho * wo);
            Span<float> dxp = dx.Slice(c * h * w, h * w);
            for (int r = 0; r < h; r++)
            {
                int i = r >> 1;
                float rowScale = 2 * i + 1 < h ? 0.5f : 1f;
                ReadOnlySpan<float> dyr = dyp.Slice(i * wo, wo);
                Span<float> dxr = dxp.Slice(r * w, w);
                int full = w & ~1;
                float s2 = rowScale * 0.5f;
                for (int col = 0; col < full; col += 2)
                {
                    float g = dyr[col >> 1] * s2;
                    dxr[col] += g;
                    dxr[col + 1] += g;
                }
                if (full < w) dxr[w - 1] += dyr[wo - 1] * rowScale;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void UpsampleAddScalar(ReadOnlySpan<float> z, int channels, int zh, int zw, Span<float> y, int h, int w, int zStride)
    {
        for (int c = 0; c < channels; c++)
        {
            ReadOnlySpan<float> zp = z.Slice(c * zStride, zh * zw);
            Span<float> yp = y.Slice(c * h * w, h * w);
            for (int i = 0; i < h; i++)
            {
                ReadOnlySpan<float> zr = zp.Slice((i >> 1) * zw, zw);
                Span<float> yr = yp.Slice(i * w, w);
                int full = w & ~1;
                for (int j = 0; j < full; j += 2)
                {
                    float v = zr[j >> 1];
                    yr[j] += v;
                    yr[j + 1] += v;
                }
                if (full < w) yr[w - 1] += zr[w >> 1];
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void UpsampleBackwardScalar(ReadOnlySpan<float> dy, int channels, int h, int w, Span<float> dz, int zh, int zw, int zStride)
    {
        for (int c = 0; c < channels; c++)
        {
            ReadOnlySpan<float> dyp = dy.Slice(c * h * w, h * w);
            Span<float> dzp = dz.Slice(c * zStride, zh * zw);
            dzp.Clear();
            for (int i = 0; i < h; i++)
            {
                ReadOnlySpan<float> dyr = dyp.Slice(i * w, w);
                Span<float> dzr = dzp.Slice((i >> 1) * zw, zw);
                int full = w & ~1;
                for (int j = 0; j < full; j += 2)
                    dzr[j >> 1] += dyr[j] + dyr[j + 1];
                if (full < w) dzr[w >> 1] += dyr[w - 1];
            }
        }
    }

    private static void CheckLength(string name, int length, long needed)
    {
        if (length < needed) throw new ArgumentException($"{name} has {length} elements; expected at least {needed}.");
    }

    private static void CheckUpsampleShapes(int zh, int zw, int h, int w)
    {
        if (h < 0 || w < 0 || (h + 1) / 2 > zh || (w + 1) / 2 > zw)
            throw new ArgumentException($"a {zh}x{zw} map upsampled 2x does not cover {h}x{w}.");
    }

    /// <summary>Rows with fewer pairs (maps narrower than 8) run faster in the scalar loop than with vector set-up and tails.</summary>
    private const int MinVectorPairs = 4;

    // Even/odd index tables that split 32 consecutive floats (two Vector512) into their even and odd elements.
    private static Vector512<int> Evens512 => Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    private static Vector512<int> Odds512 => Vector512.Create(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
    // Each of 16 floats twice: elements 0..7 and 8..15 of the source.
    private static Vector512<int> DupLow512 => Vector512.Create(0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7);
    private static Vector512<int> DupHigh512 => Vector512.Create(8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13, 14, 14, 15, 15);

    // Avx.Shuffle picks elements 0,2 (0x88) or 1,3 (0xDD) of each 128-bit lane of both sources; the 64-bit
    // chunks then come out as [s0 lane0, s1 lane0, s0 lane1, s1 lane1] and Permute4x64(0xD8) restores the order.
    private const byte ShufEven = 0b10_00_10_00, ShufOdd = 0b11_01_11_01, ChunkOrder = 0b11_01_10_00;

    /// <summary>
    /// AVX-512 masks for the last n % 16 pairs of a row, made once per call: <see cref="Narrow"/> covers them on the
    /// one-per-pair side, <see cref="Lo"/> and <see cref="Hi"/> on the two-per-pair side (32 floats). Masked loads
    /// do not fault past the row, so the tail is one vector step instead of up to 15 scalar ones (rows are 7 to 56 wide).
    /// </summary>
    private readonly struct Tail512
    {
        public readonly int Count;
        public readonly Vector512<float> Narrow, Lo, Hi;

        public Tail512(int n)
        {
            Count = n & 15;
            Vector512<int> iota = Vector512<int>.Indices, wide = Vector512.Create(2 * Count);
            Narrow = Vector512.LessThan(iota, Vector512.Create(Count)).AsSingle();
            Lo = Vector512.LessThan(iota, wide).AsSingle();
            Hi = Vector512.LessThan(iota + Vector512.Create(16), wide).AsSingle();
        }
    }

    /// <summary>
    /// For even widths 8 to 16 on AVX-512: index tables that turn one source row (w/2 floats, one masked load) into
    /// two duplicated output rows (2w floats, 16 + 4..16), so both rows sharing a source row take exact vector steps
    /// instead of a 4-pair step and scalar pairs each (14-wide maps: 7 pairs).
    /// </summary>
    private readonly struct RowPair512
    {
        public readonly int Width;
        public readonly Vector512<float> Source;
        public readonly Vector512<int> First, Second;

        public static bool Fits(int w) => (w & 1) == 0 && w >= 8 && w <= 16;

        public RowPair512(int w)
        {
            Width = w;
            Vector512<int> iota = Vector512<int>.Indices, wv = Vector512.Create(w);
            Source = Vector512.LessThan(iota, Vector512.Create(w / 2)).AsSingle();
            // Output float k of the two rows is source float (k mod w) / 2; k < 2w <= 32, so one subtraction does the mod.
            Vector512<int> k1 = iota + Vector512.Create(16);
            First = Vector512.ShiftRightLogical(iota - (Vector512.GreaterThanOrEqual(iota, wv) & wv), 1);
            Second = Vector512.ShiftRightLogical(k1 - (Vector512.GreaterThanOrEqual(k1, wv) & wv), 1);
        }
    }

    /// <summary>d[k] += g[(k mod w) / 2] for k &lt; 2w: <see cref="AddDuplicated"/> for two rows that share the source row s.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void AddDuplicatedTwoRows(float* s, float scale, bool scaled, float* d, in RowPair512 p)
    {
        Vector512<float> g = Load(s, p.Source);
        if (scaled) g *= Vector512.Create(scale);
        Vector512.Store(Vector512.Load(d) + Avx512F.PermuteVar16x32(g, p.First), d);
        Vector512<float> v = Avx512F.PermuteVar16x32(g, p.Second);
        float* e = d + 16;
        int rest = 2 * p.Width - 16;
        if (rest == 16)
        {
            Vector512.Store(Vector512.Load(e) + v, e);
            return;
        }
        if (rest >= 8)
        {
            Vector256.Store(Vector256.Load(e) + v.GetLower(), e);
            if (rest == 12) Vector128.Store(Vector128.Load(e + 8) + v.GetUpper().GetLower(), e + 8);
        }
        else if (rest == 4) Vector128.Store(Vector128.Load(e) + v.GetLower().GetLower(), e);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe Vector512<float> Load(float* p, Vector512<float> mask) => Avx512F.MaskLoad(p, mask, Vector512<float>.Zero);

    /// <summary>y[j] = (a[2j] + a[2j+1] + b[2j] + b[2j+1]) * 0.25f for j &lt; n.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void PoolRows(float* a, float* b, float* y, int n, Simd level, in Tail512 t)
    {
        int j = 0;
        if (level == Simd.Avx512)
        {
            Vector512<int> ev = Evens512, od = Odds512;
            Vector512<float> q = Vector512.Create(0.25f);
            for (; j <= n - 16; j += 16)
            {
                Vector512<float> a0 = Vector512.Load(a + 2 * j), a1 = Vector512.Load(a + 2 * j + 16);
                Vector512<float> b0 = Vector512.Load(b + 2 * j), b1 = Vector512.Load(b + 2 * j + 16);
                Vector512<float> s = Avx512F.PermuteVar16x32x2(a0, ev, a1) + Avx512F.PermuteVar16x32x2(a0, od, a1)
                    + Avx512F.PermuteVar16x32x2(b0, ev, b1) + Avx512F.PermuteVar16x32x2(b0, od, b1);
                Vector512.Store(s * q, y + j);
            }
            if (t.Count > 0)
            {
                Vector512<float> a0 = Load(a + 2 * j, t.Lo), a1 = Load(a + 2 * j + 16, t.Hi);
                Vector512<float> b0 = Load(b + 2 * j, t.Lo), b1 = Load(b + 2 * j + 16, t.Hi);
                Vector512<float> s = Avx512F.PermuteVar16x32x2(a0, ev, a1) + Avx512F.PermuteVar16x32x2(a0, od, a1)
                    + Avx512F.PermuteVar16x32x2(b0, ev, b1) + Avx512F.PermuteVar16x32x2(b0, od, b1);
                Avx512F.MaskStore(y + j, t.Narrow, s * q);
            }
            return;
        }
        if (level == Simd.Avx2)
        {
            for (; j <= n - 8; j += 8)
            {
                Vector256<float> a0 = Vector256.Load(a + 2 * j), a1 = Vector256.Load(a + 2 * j + 8);
                Vector256<float> b0 = Vector256.Load(b + 2 * j), b1 = Vector256.Load(b + 2 * j + 8);
                Vector256<float> s = Avx.Shuffle(a0, a1, ShufEven) + Avx.Shuffle(a0, a1, ShufOdd)
                    + Avx.Shuffle(b0, b1, ShufEven) + Avx.Shuffle(b0, b1, ShufOdd);
                Vector256.Store(Avx2.Permute4x64((s * Vector256.Create(0.25f)).AsDouble(), ChunkOrder).AsSingle(), y + j);
            }
            for (; j <= n - 4; j += 4)
            {
                Vector128<float> a0 = Vector128.Load(a + 2 * j), a1 = Vector128.Load(a + 2 * j + 4);
                Vector128<float> b0 = Vector128.Load(b + 2 * j), b1 = Vector128.Load(b + 2 * j + 4);
                Vector128<float> s = Sse.Shuffle(a0, a1, ShufEven) + Sse.Shuffle(a0, a1, ShufOdd)
                    + Sse.Shuffle(b0, b1, ShufEven) + Sse.Shuffle(b0, b1, ShufOdd);
                Vector128.Store(s * Vector128.Create(0.25f), y + j);
            }
        }
        for (; j < n; j++) y[j] = (a[2 * j] + a[2 * j + 1] + b[2 * j] + b[2 * j + 1]) * 0.25f;
    }

    /// <summary>y[j] = (a[2j] + a[2j+1]) * 0.5f for j &lt; n (the last row of an odd-height map).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void PoolRow(float* a, float* y, int n, Simd level, in Tail512 t)
    {
        int j = 0;
        if (level == Simd.Avx512)
        {
            Vector512<int> ev = Evens512, od = Odds512;
            for (; j <= n - 16; j += 16)
            {
                Vector512<float> a0 = Vector512.Load(a + 2 * j), a1 = Vector512.Load(a + 2 * j + 16);
                Vector512<float> s = Avx512F.PermuteVar16x32x2(a0, ev, a1) + Avx512F.PermuteVar16x32x2(a0, od, a1);
                Vector512.Store(s * Vector512.Create(0.5f), y + j);
            }
            if (t.Count > 0)
            {
                Vector512<float> a0 = Load(a + 2 * j, t.Lo), a1 = Load(a + 2 * j + 16, t.Hi);
                Vector512<float> s = Avx512F.PermuteVar16x32x2(a0, ev, a1) + Avx512F.PermuteVar16x32x2(a0, od, a1);
                Avx512F.MaskStore(y + j, t.Narrow, s * Vector512.Create(0.5f));
            }
            return;
        }
        if (level == Simd.Avx2)
        {
            for (; j <= n - 8; j += 8)
            {
                Vector256<float> a0 = Vector256.Load(a + 2 * j), a1 = Vector256.Load(a + 2 * j + 8);
                Vector256<float> s = Avx.Shuffle(a0, a1, ShufEven) + Avx.Shuffle(a0, a1, ShufOdd);
                Vector256.Store(Avx2.Permute4x64((s * Vector256.Create(0.5f)).AsDouble(), ChunkOrder).AsSingle(), y + j);
            }
        }
        for (; j < n; j++) y[j] = (a[2 * j] + a[2 * j + 1]) * 0.5f;
    }

    /// <summary>dz[j] = (0 + (a[2j] + a[2j+1])) + (b[2j] + b[2j+1]) for j &lt; n.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void SumPairRows(float* a, float* b, float* dz, int n, Simd level, in Tail512 t)
    {
        int j = 0;
        if (level == Simd.Avx512)
        {
            Vector512<int> ev = Evens512, od = Odds512;
            for (; j <= n - 16; j += 16)
            {
                Vector512<float> a0 = Vector512.Load(a + 2 * j), a1 = Vector512.Load(a + 2 * j + 16);
                Vector512<float> b0 = Vector512.Load(b + 2 * j), b1 = Vector512.Load(b + 2 * j + 16);
                Vector512<float> sa = Avx512F.PermuteVar16x32x2(a0, ev, a1) + Avx512F.PermuteVar16x32x2(a0, od, a1);
                Vector512<float> sb = Avx512F.PermuteVar16x32x2(b0, ev, b1) + Avx512F.PermuteVar16x32x2(b0, od, b1);
                Vector512.Store((Vector512<float>.Zero + sa) + sb, dz + j);
            }
            if (t.Count > 0)
            {
                Vector512<float> a0 = Load(a + 2 * j, t.Lo), a1 = Load(a + 2 * j + 16, t.Hi);
                Vector512<float> b0 = Load(b + 2 * j, t.Lo), b1 = Load(b + 2 * j + 16, t.Hi);
                Vector512<float> sa = Avx512F.PermuteVar16x32x2(a0, ev, a1) + Avx512F.PermuteVar16x32x2(a0, od, a1);
                Vector512<float> sb = Avx512F.PermuteVar16x32x2(b0, ev, b1) + Avx512F.PermuteVar16x32x2(b0, od, b1);
                Avx512F.MaskStore(dz + j, t.Narrow, (Vector512<float>.Zero + sa) + sb);
            }
            return;
        }
        if (level == Simd.Avx2)
        {
            for (; j <= n - 8; j += 8)
            {
                Vector256<float> a0 = Vector256.Load(a + 2 * j), a1 = Vector256.Load(a + 2 * j + 8);
                Vector256<float> b0 = Vector256.Load(b + 2 * j), b1 = Vector256.Load(b + 2 * j + 8);
                Vector256<float> sa = Avx.Shuffle(a0, a1, ShufEven) + Avx.Shuffle(a0, a1, ShufOdd);
                Vector256<float> sb = Avx.Shuffle(b0, b1, ShufEven) + Avx.Shuffle(b0, b1, ShufOdd);
                Vector256.Store(Avx2.Permute4x64(((Vector256<float>.Zero + sa) + sb).AsDouble(), ChunkOrder).AsSingle(), dz + j);
            }
            for (; j <= n - 4; j += 4)
            {
                Vector128<float> a0 = Vector128.Load(a + 2 * j), a1 = Vector128.Load(a + 2 * j + 4);
                Vector128<float> b0 = Vector128.Load(b + 2 * j), b1 = Vector128.Load(b + 2 * j + 4);
                Vector128<float> sa = Sse.Shuffle(a0, a1, ShufEven) + Sse.Shuffle(a0, a1, ShufOdd);
                Vector128<float> sb = Sse.Shuffle(b0, b1, ShufEven) + Sse.Shuffle(b0, b1, ShufOdd);
                Vector128.Store((Vector128<float>.Zero + sa) + sb, dz + j);
            }
        }
        for (; j < n; j++) dz[j] = (0f + (a[2 * j] + a[2 * j + 1])) + (b[2 * j] + b[2 * j + 1]);
    }

    /// <summary>dz[j] = 0 + (a[2j] + a[2j+1]) for j &lt; n (a dz row whose second dy row is cropped away).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void SumPairRow(float* a, float* dz, int n, Simd level, in Tail512 t)
    {
        int j = 0;
        if (level == Simd.Avx512)
        {
            Vector512<int> ev = Evens512, od = Odds512;
            for (; j <= n - 16; j += 16)
            {
                Vector512<float> a0 = Vector512.Load(a + 2 * j), a1 = Vector512.Load(a + 2 * j + 16);
                Vector512<float> sa = Avx512F.PermuteVar16x32x2(a0, ev, a1) + Avx512F.PermuteVar16x32x2(a0, od, a1);
                Vector512.Store(Vector512<float>.Zero + sa, dz + j);
            }
            if (t.Count > 0)
            {
                Vector512<float> a0 = Load(a + 2 * j, t.Lo), a1 = Load(a + 2 * j + 16, t.Hi);
                Vector512<float> sa = Avx512F.PermuteVar16x32x2(a0, ev, a1) + Avx512F.PermuteVar16x32x2(a0, od, a1);
                Avx512F.MaskStore(dz + j, t.Narrow, Vector512<float>.Zero + sa);
            }
            return;
        }
        if (level == Simd.Avx2)
        {
            for (; j <= n - 8; j += 8)
            {
                Vector256<float> a0 = Vector256.Load(a + 2 * j), a1 = Vector256.Load(a + 2 * j + 8);
                Vector256<float> sa = Avx.Shuffle(a0, a1, ShufEven) + Avx.Shuffle(a0, a1, ShufOdd);
                Vector256.Store(Avx2.Permute4x64((Vector256<float>.Zero + sa).AsDouble(), ChunkOrder).AsSingle(), dz + j);
            }
        }
        for (; j < n; j++) dz[j] = 0f + (a[2 * j] + a[2 * j + 1]);
    }

    /// <summary>
    /// d[2j] += g and d[2j+1] += g for j &lt; n, where g = s[j] * scale if <paramref name="scaled"/>, else s[j]
    /// (a constant at each call site, so the JIT drops the multiply for upsampling).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void AddDuplicated(float* s, float scale, bool scaled, float* d, int n, Simd level)
    {
        int j = 0;
        if (level == Simd.Avx512)
        {
            Vector512<int> lo = DupLow512, hi = DupHigh512;
            Vector512<float> sc = Vector512.Create(scale);
            for (; j <= n - 16; j += 16)
            {
                Vector512<float> g = Vector512.Load(s + j);
                if (scaled) g *= sc;
                float* dd = d + 2 * j;
                Vector512.Store(Vector512.Load(dd) + Avx512F.PermuteVar16x32(g, lo), dd);
                Vector512.Store(Vector512.Load(dd + 16) + Avx512F.PermuteVar16x32(g, hi), dd + 16);
            }
        }
        // No masked tail here: a masked store overlapping the next row's first load cannot be forwarded and
        // stalls (measured 2x slower at 28 pairs), so the tail takes exact-size steps.
        if (level >= Simd.Avx2)
        {
            for (; j <= n - 8; j += 8)
            {
                Vector256<float> g = Vector256.Load(s + j);
                if (scaled) g *= Vector256.Create(scale);
                // UnpackLow/High duplicate within 128-bit lanes: [0 0 1 1 | 4 4 5 5] and [2 2 3 3 | 6 6 7 7].
                Vector256<float> l = Avx.UnpackLow(g, g), h = Avx.UnpackHigh(g, g);
                float* dd = d + 2 * j;
                Vector256.Store(Vector256.Load(dd) + Avx.Permute2x128(l, h, 0x20), dd);
                Vector256.Store(Vector256.Load(dd + 8) + Avx.Permute2x128(l, h, 0x31), dd + 8);
            }
            for (; j <= n - 4; j += 4)
            {
                Vector128<float> g = Vector128.Load(s + j);
                if (scaled) g *= Vector128.Create(scale);
                float* dd = d + 2 * j;
                Vector128.Store(Vector128.Load(dd) + Sse.UnpackLow(g, g), dd);
                Vector128.Store(Vector128.Load(dd + 4) + Sse.UnpackHigh(g, g), dd + 4);
            }
            if (j <= n - 2)
            {
                // Two pairs from one 64-bit load (28-wide rows are 8 + 4 + 2 pairs).
                Vector128<float> g = Sse2.LoadScalarVector128((double*)(s + j)).AsSingle();
                if (scaled) g *= Vector128.Create(scale);
                float* dd = d + 2 * j;
                Vector128.Store(Vector128.Load(dd) + Sse.UnpackLow(g, g), dd);
                j += 2;
            }
        }
        for (; j < n; j++)
        {
            float g = scaled ? s[j] * scale : s[j];
            d[2 * j] += g;
            d[2 * j + 1] += g;
        }
    }

    /// <summary>
    /// Stride-1 im2col of one image [channels, h, w] into col [channels*k*k, oh*ow] (row = (c, ky, kx)),
    /// zero padding <paramref name="pad"/>, dilation <paramref name="dil"/>; col's rows are <paramref name="ldCol"/>
    /// apart (0 = oh*ow), so several images can be unfolded side by side. The convolutions' own
    /// <see cref="Im2Col.Unfold"/> on a one-image geometry.
    /// </summary>
    public static void Im2Col(ReadOnlySpan<float> x, int channels, int h, int w, int k, int pad, int dil, int oh, int ow, Span<float> col, int ldCol = 0) =>
        Ops.Im2Col.Unfold(Geometry(channels, h, w, k, pad, dil, oh, ow), x, channels, 0, oh * ow, col, ldCol);

    /// <summary>Adjoint of <see cref="Im2Col"/>: dx = col2im(col), overwriting dx.</summary>
    public static void Col2Im(ReadOnlySpan<float> col, int channels, int h, int w, int k, int pad, int dil, int oh, int ow, Span<float> dx, int ldCol = 0)
    {
        dx.Slice(0, channels * h * w).Clear();
        Ops.Im2Col.Fold(Geometry(channels, h, w, k, pad, dil, oh, ow), col, channels, 0, oh * ow, dx, ldCol);
    }

    private static ConvGeometry Geometry(int channels, int h, int w, int k, int pad, int dil, int oh, int ow)
    {
        var g = new ConvGeometry(1, channels, h, w, channels, k, k, 1, pad, dil);
        if (g.OutHeight != oh || g.OutWidth != ow)
            throw new ArgumentException($"a {k}x{k} stride-1 convolution with padding {pad} and dilation {dil} maps {h}x{w} to {g.OutHeight}x{g.OutWidth}, not {oh}x{ow}.");
        return g;
    }
}
