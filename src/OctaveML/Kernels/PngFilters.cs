using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace OctaveML.Kernels;

/// <summary>
/// PNG scanline filters (PNG spec section 9): undoing them when decoding, applying them when
/// encoding. Rows are byte spans without the leading filter-type byte; the row above is all zeros
/// for the first row of an image or an Adam7 pass.
/// </summary>
internal static class PngFilters
{
    public const int None = 0, Sub = 1, Up = 2, Average = 3, Paeth = 4;

    /// <summary>Reverses filter <paramref name="type"/> in place on <paramref name="row"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void Unfilter(int type, Span<byte> row, ReadOnlySpan<byte> prior, int bpp)
    {
        int n = row.Length;
        if (prior.Length < n) throw new ArgumentException("the prior row is shorter than the row.", nameof(prior));
        fixed (byte* cur = row)
        fixed (byte* prev = prior)
        {
            switch (type)
            {
                case None:
                    break;
                case Sub:
                    if (bpp is 3 or 4) UnfilterSubSwar(cur, n, bpp);
                    else for (int i = bpp; i < n; i++) cur[i] += cur[i - bpp];
                    break;
                case Up:
                    UnfilterUp(cur, prev, n);
                    break;
                case Average:
                    for (int i = 0; i < bpp && i < n; i++) cur[i] += (byte)(prev[i] >> 1);
                    if (bpp is 3 or 4) UnfilterAverageSwar(cur, prev, n, bpp);
                    else for (int i = bpp; i < n; i++) cur[i] += (byte)((cur[i - bpp] + prev[i]) >> 1);
                    break;
                case Paeth:
                    if ((bpp == 3 || bpp == 4) && Vector128.IsHardwareAccelerated && n >= 16)
                        UnfilterPaethVector(cur, prev, n, bpp);
                    else
                        UnfilterPaethScalar(cur, prev, n, bpp, 0);
                    break;
                default:
                    throw new ArgumentOutOfRangeException(nameof(type), type, "PNG filter type must be 0..4.");
            }
        }
    }

    private static unsafe void UnfilterUp(byte* cur, byte* prev, int n)
    {
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
            for (; i + 32 <= n; i += 32)
                Vector256.Store(Vector256.Load(cur + i) + Vector256.Load(prev + i), cur + i);
        for (; i + 16 <= n; i += 16)
            Vector128.Store(Vector128.Load(cur + i) + Vector128.Load(prev + i), cur + i);
        for (; i < n; i++) cur[i] += prev[i];
    }

    // SWAR: the bytes of a pixel packed in a uint, added lane-wise without carries between lanes, so
    // the per-byte loop becomes a per-pixel loop (the dependency runs from pixel to pixel anyway).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint AddBytes(uint x, uint y) => ((x & 0x7F7F7F7Fu) + (y & 0x7F7F7F7Fu)) ^ ((x ^ y) & 0x80808080u);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint AverageBytes(uint x, uint y) => (x & y) + (((x ^ y) & 0xFEFEFEFEu) >> 1);

    private static unsafe void UnfilterSubSwar(byte* cur, int n, int bpp)
    {
        int i = bpp;
        if (n < bpp) return;
        uint a = bpp == 4 ? Unsafe.ReadUnaligned<uint>(cur) : (uint)(cur[0] | cur[1] << 8 | cur[2] << 16);
        for (; i + 4 <= n; i += bpp)
        {
            uint r = AddBytes(Unsafe.ReadUnaligned<uint>(cur + i), a);
            if (bpp == 4) Unsafe.WriteUnaligned(cur + i, r);
            else { Unsafe.WriteUnaligned(cur + i, (ushort)r); cur[i + 2] = (byte)(r >> 16); }
            a = r;
        }
        for (; i < n; i++) cur[i] += cur[i - bpp];
    }

    private static unsafe void UnfilterAverageSwar(byte* cur, byte* prev, int n, int bpp)
    {
        int i = bpp;
        if (n < bpp) return;
        uint a = bpp == 4 ? Unsafe.ReadUnaligned<uint>(cur) : (uint)(cur[0] | cur[1] << 8 | cur[2] << 16);
        for (; i + 4 <= n; i += bpp)
        {
            uint r = AddBytes(Unsafe.ReadUnaligned<uint>(cur + i), AverageBytes(a, Unsafe.ReadUnaligned<uint>(prev + i)));
            if (bpp == 4) Unsafe.WriteUnaligned(cur + i, r);
            else { Unsafe.WriteUnaligned(cur + i, (ushort)r); cur[i + 2] = (byte)(r >> 16); }
            a = r;
        }
        for (; i < n; i++) cur[i] += (byte)((cur[i - bpp] + prev[i]) >> 1);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int PaethPredictor(int a, int b, int c)
    {
        int p = a + b - c;
        int pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        if (pa <= pb && pa <= pc) return a;
        return pb <= pc ? b : c;
    }

    private static unsafe void UnfilterPaethScalar(byte* cur, byte* prev, int n, int bpp, int start)
    {
        int i = start;
        for (; i < bpp && i < n; i++) cur[i] += prev[i]; // a = c = 0 there, so the predictor is b
        for (; i < n; i++) cur[i] += (byte)PaethPredictor(cur[i - bpp], prev[i], prev[i - bpp]);
    }

    /// <summary>
    /// Paeth for 3- and 4-byte pixels, one pixel per step with all its channels in 16-bit lanes
    /// (the same scheme as libpng's SSE2 filters): the serial dependency is per pixel, not per byte.
    /// </summary>
    private static unsafe void UnfilterPaethVector(byte* cur, byte* prev, int n, int bpp)
    {
        Vector128<short> a = Vector128<short>.Zero, c = Vector128<short>.Zero;
        int i = 0;
        // Stop while a 4-byte load of the current pixel stays inside the row.
        for (; i + 4 <= n; i += bpp)
        {
            Vector128<short> b = Load4(prev + i);
            Vector128<short> x = Load4(cur + i);
            // pa = |b - c|, pb = |a - c|, pc = |a + b - 2c|
            Vector128<short> pa = Vector128.Abs(b - c);
            Vector128<short> pb = Vector128.Abs(a - c);
            Vector128<short> pc = Vector128.Abs(a + b - c - c);
            Vector128<short> useA = Vector128.LessThanOrEqual(pa, pb) & Vector128.LessThanOrEqual(pa, pc);
            Vector128<short> useB = Vector128.LessThanOrEqual(pb, pc);
            Vector128<short> pred = Vector128.ConditionalSelect(useA, a, Vector128.ConditionalSelect(useB, b, c));
            Vector128<short> r = (x + pred) & Vector128.Create((short)0xFF);
            // Write back bpp bytes (3 or 4) with one narrowing step and scalar stores.
            uint packed = Vector128.Narrow(r.AsUInt16(), r.AsUInt16()).AsUInt32().ToScalar();
            if (bpp == 4) Unsafe.WriteUnaligned(cur + i, packed);
            else { Unsafe.WriteUnaligned(cur + i, (ushort)packed); cur[i + 2] = (byte)(packed >> 16); }
            a = r;
            c = b;
        }
        if (i < n) UnfilterPaethScalar(cur, prev, n, bpp, i);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe Vector128<short> Load4(byte* p)
    {
        uint v = Unsafe.ReadUnaligned<uint>(p);
        return Vector128.WidenLower(Vector128.CreateScalar(v).AsByte()).AsInt16();
    }

    /// <summary>Writes the filtered bytes of <paramref name="row"/> under <paramref name="type"/> into <paramref name="dst"/>.</summary>
    public static void Filter(int type, ReadOnlySpan<byte> row, ReadOnlySpan<byte> prior, int bpp, Span<byte> dst)
    {
        int n = row.Length;
        for (int i = 0; i < n; i++)
        {
            int a = i >= bpp ? row[i - bpp] : 0, b = prior[i], c = i >= bpp ? prior[i - bpp] : 0;
            int pred = type switch
            {
                None => 0,
                Sub => a,
                Up => b,
                Average => (a + b) >> 1,
                Paeth => PaethPredictor(a, b, c),
                _ => throw new ArgumentOutOfRangeException(nameof(type), type, "PNG filter type must be 0..4."),
            };
            dst[i] = (byte)(row[i] - pred);
        }
    }
}
