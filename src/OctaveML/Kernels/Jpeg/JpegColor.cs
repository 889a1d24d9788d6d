using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace OctaveML.Kernels.Jpeg;

/// <summary>
/// Colour conversions of decoded JPEG rows, with libjpeg's fixed-point constants (jdcolor.c,
/// 16 fractional bits) so results match djpeg exactly. Rows are planar in, interleaved out.
/// </summary>
internal static unsafe class JpegColor
{
    private const int ScaleBits = 16, Half = 1 << (ScaleBits - 1);
    private static int Fix(double x) => (int)(x * (1 << ScaleBits) + 0.5);
    private static readonly int CrR = Fix(1.40200), CbB = Fix(1.77200), CrG = Fix(0.71414), CbG = Fix(0.34414);
    private static readonly int RY = Fix(0.29900), GY = Fix(0.58700), BY = Fix(0.11400);

    // pshufb masks that interleave 16 R, 16 G and 16 B bytes into 48 RGB bytes (three 16-byte blocks).
    private static readonly Vector128<byte>[] Interleave = BuildInterleaveMasks();

    private static Vector128<byte>[] BuildInterleaveMasks()
    {
        var masks = new Vector128<byte>[9];
        Span<byte> m = stackalloc byte[16];
        for (int block = 0; block < 3; block++)
            for (int ch = 0; ch < 3; ch++)
            {
                for (int j = 0; j < 16; j++)
                {
                    int g = block * 16 + j;
                    m[j] = g % 3 == ch ? (byte)(g / 3) : (byte)0x80;
                }
                masks[block * 3 + ch] = Vector128.Create((ReadOnlySpan<byte>)m);
            }
        return masks;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static byte Clamp(int v) => (byte)(v < 0 ? 0 : v > 255 ? 255 : v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRgb(Vector128<byte> r, Vector128<byte> g, Vector128<byte> b, byte* dst)
    {
        var m = Interleave;
        Sse2.Store(dst, Ssse3.Shuffle(r, m[0]) | Ssse3.Shuffle(g, m[1]) | Ssse3.Shuffle(b, m[2]));
        Sse2.Store(dst + 16, Ssse3.Shuffle(r, m[3]) | Ssse3.Shuffle(g, m[4]) | Ssse3.Shuffle(b, m[5]));
        Sse2.Store(dst + 32, Ssse3.Shuffle(r, m[6]) | Ssse3.Shuffle(g, m[7]) | Ssse3.Shuffle(b, m[8]));
    }

    /// <summary>8 ints (0..255 after saturation) and 8 more to 16 bytes, in order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<byte> Pack(Vector256<int> lo, Vector256<int> hi)
    {
        var s = Avx2.Permute4x64(Avx2.PackSignedSaturate(lo, hi).AsInt64(), 0b11_01_10_00).AsInt16();
        return Sse2.PackUnsignedSaturate(s.GetLower(), s.GetUpper());
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Widen(byte* p) => Avx2.ConvertToVector256Int32(p);

    // libjpeg's products split so every multiplier fits in 16 bits (for pmaddwd): with x in [-128, 127],
    // (CrR x + Half) >> 16 = x + ((CrR - 65536) x + Half) >> 16, (CbB x + Half) >> 16 = 2x + ((CbB - 131072) x + Half) >> 16,
    // and (-CbG b - CrG r + Half) >> 16 = -r + (-CbG b + (65536 - CrG) r + Half) >> 16: exact, as 65536 x is a multiple of 65536.
    private static readonly short CrRLow = (short)(CrR - 65536), CbBLow = (short)(CbB - 131072), CrGLow = (short)(65536 - CrG), CbGNeg = (short)-CbG;

    /// <summary>pmaddwd of (a, b) pairs with (ca, cb), shifted right 16, back in element order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<short> MulAddShift(Vector256<short> a, Vector256<short> b, Vector256<short> coeffs, Vector256<int> add)
    {
        var lo = Avx2.ShiftRightArithmetic(Avx2.MultiplyAddAdjacent(Avx2.UnpackLow(a, b), coeffs) + add, ScaleBits);
        var hi = Avx2.ShiftRightArithmetic(Avx2.MultiplyAddAdjacent(Avx2.UnpackHigh(a, b), coeffs) + add, ScaleBits);
        return Avx2.PackSignedSaturate(lo, hi); // in-lane pack undoes the in-lane unpack: element order
    }

    /// <summary>(first, second) repeated: the multipliers of pmaddwd over (a, b) pairs.</summary>
    private static Vector256<short> Pair(int first, int second) => Vector256.Create((ushort)first | (second << 16)).AsInt16();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<byte> ToBytes(Vector256<short> v) => Sse2.PackUnsignedSaturate(v.GetLower(), v.GetUpper());

    /// <summary>YCbCr (JFIF) to interleaved RGB for <paramref name="n"/> pixels, exactly as libjpeg's ycc_rgb_convert.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void YCbCrToRgb(byte* y, byte* cb, byte* cr, byte* rgb, int n)
    {
        int x = 0;
        if (Avx2.IsSupported)
        {
            var c128 = Vector256.Create((short)128);
            var two = Vector256.Create((short)2);
            var zero = Vector256<int>.Zero;
            var half = Vector256.Create(Half);
            var kR = Pair(CrRLow, Half / 2);
            var kB = Pair(CbBLow, Half / 2);
            var kG = Pair(CbGNeg, CrGLow);
            for (; x + 16 <= n; x += 16)
            {
                var yy = Avx2.ConvertToVector256Int16(y + x);
                var b = Avx2.ConvertToVector256Int16(cb + x) - c128;
                var r = Avx2.ConvertToVector256Int16(cr + x) - c128;
                var rr = yy + r + MulAddShift(r, two, kR, zero);
                var bb = yy + b + b + MulAddShift(b, two, kB, zero);
                var gg = yy - r + MulAddShift(b, r, kG, half);
                StoreRgb(ToBytes(rr), ToBytes(gg), ToBytes(bb), rgb + 3 * x);
            }
        }
        for (; x < n; x++)
        {
            int yy = y[x], b = cb[x] - 128, r = cr[x] - 128;
            rgb[3 * x] = Clamp(yy + ((CrR * r + Half) >> ScaleBits));
            rgb[3 * x + 1] = Clamp(yy + ((-CbG * b - CrG * r + Half) >> ScaleBits));
            rgb[3 * x + 2] = Clamp(yy + ((CbB * b + Half) >> ScaleBits));
        }
    }

    /// <summary>Three planes to interleaved RGB.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void InterleaveRgb(byte* r, byte* g, byte* b, byte* rgb, int n)
    {
        int x = 0;
        if (Ssse3.IsSupported)
            for (; x + 16 <= n; x += 16)
                StoreRgb(Sse2.LoadVector128(r + x), Sse2.LoadVector128(g + x), Sse2.LoadVector128(b + x), rgb + 3 * x);
        for (; x < n; x++) { rgb[3 * x] = r[x]; rgb[3 * x + 1] = g[x]; rgb[3 * x + 2] = b[x]; }
    }

    /// <summary>Gray to RGB (each byte three times).</summary>
    public static void GrayToRgb(byte* gray, byte* rgb, int n) => InterleaveRgb(gray, gray, gray, rgb, n);

    /// <summary>RGB planes to luma as libjpeg's rgb_gray_convert computes it.</summary>
    public static void RgbToGray(byte* r, byte* g, byte* b, byte* gray, int n)
    {
        for (int x = 0; x < n; x++)
            gray[x] = (byte)((RY * r[x] + GY * g[x] + BY * b[x] + Half) >> ScaleBits);
    }

    /// <summary>Interleaved RGB to luma (libjpeg's rgb_gray_convert weights).</summary>
    public static void InterleavedRgbToGray(byte* rgb, byte* gray, int n)
    {
        for (int x = 0; x < n; x++)
            gray[x] = (byte)((RY * rgb[3 * x] + GY * rgb[3 * x + 1] + BY * rgb[3 * x + 2] + Half) >> ScaleBits);
    }

    /// <summary>
    /// YCCK's first three planes to the CMY bytes libjpeg's ycck_cmyk_convert gives (255 minus the
    /// YCC-to-RGB result), in place; the fourth plane (K) passes through.
    /// </summary>
    public static void YccToCmyPlanes(byte* y, byte* cb, byte* cr, int n)
    {
        for (int x = 0; x < n; x++)
        {
            int yy = y[x], b = cb[x] - 128, r = cr[x] - 128;
            byte rr = Clamp(yy + ((CrR * r + Half) >> ScaleBits));
            byte gg = Clamp(yy + ((-CbG * b - CrG * r + Half) >> ScaleBits));
            byte bb = Clamp(yy + ((CbB * b + Half) >> ScaleBits));
            y[x] = (byte)(255 - rr); cb[x] = (byte)(255 - gg); cr[x] = (byte)(255 - bb);
        }
    }

    /// <summary>
    /// Adobe CMYK (stored inverted: 255 = no ink) to RGB: R = C'K'/255 rounded, likewise G, B.
    /// </summary>
    public static void InvertedCmykToRgb(byte* c, byte* m, byte* y, byte* k, byte* rgb, int n)
    {
        for (int x = 0; x < n; x++)
        {
            int kk = k[x];
            rgb[3 * x] = Div255(c[x] * kk);
            rgb[3 * x + 1] = Div255(m[x] * kk);
            rgb[3 * x + 2] = Div255(y[x] * kk);
        }
    }

    /// <summary>Round(v / 255) for v in 0..65025.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static byte Div255(int v) => (byte)((v + 127) / 255);
}
