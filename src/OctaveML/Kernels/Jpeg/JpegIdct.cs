using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace OctaveML.Kernels.Jpeg;

/// <summary>
/// libjpeg's accurate integer inverse DCT (jidctint.c, "islow") with dequantisation, bit-exact
/// with it: the AVX2 path runs the same 32-bit arithmetic on 8 columns (then 8 rows) at once.
/// </summary>
internal static unsafe class JpegIdct
{
    private const int ConstBits = 13, Pass1Bits = 2;
    private const int Fix0298631336 = 2446, Fix0390180644 = 3196, Fix0541196100 = 4433, Fix0765366865 = 6270;
    private const int Fix0899976223 = 7373, Fix1175875602 = 9633, Fix1501321110 = 12299, Fix1847759065 = 15137;
    private const int Fix1961570560 = 16069, Fix2053119869 = 16819, Fix2562915447 = 20995, Fix3072711026 = 25172;

    /// <summary>
    /// libjpeg's post-IDCT range limit: a descaled value x becomes clamp(x + 128) for |x| &lt; 512 and
    /// wraps beyond (index x &amp; 1023 into its table), which only corrupt data reaches.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static byte RangeLimit(int x)
    {
        int t = (x + 128) & 1023;
        return (byte)(t < 256 ? t : t < 640 ? 255 : 0);
    }

    /// <summary>
    /// Inverse-transforms one 8x8 block of quantised coefficients (natural order) with its quantisation
    /// table (natural order) into 8 rows of 8 samples at <paramref name="dst"/>, <paramref name="stride"/> apart.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Transform(short* coef, int* quant, byte* dst, int stride)
    {
        if (Avx2.IsSupported)
        {
            var c0 = Avx.LoadVector256((ushort*)coef);
            var rest = Avx.LoadVector256((ushort*)coef + 16) | Avx.LoadVector256((ushort*)coef + 32) | Avx.LoadVector256((ushort*)coef + 48);
            var ac = (c0 & Vector256.Create(0, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, (ushort)0xFFFF)) | rest;
            if (ac == Vector256<ushort>.Zero)
            {
                FillDc(coef[0] * quant[0], dst, stride);
                return;
            }
            TransformAvx2(coef, quant, dst, stride);
            return;
        }
        bool dcOnly = true;
        for (int i = 1; i < 64; i++) if (coef[i] != 0) { dcOnly = false; break; }
        if (dcOnly) FillDc(coef[0] * quant[0], dst, stride);
        else TransformScalar(coef, quant, dst, stride);
    }

    /// <summary>A block whose AC coefficients are all zero is flat: both passes reduce to this.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void FillDc(int dcq, byte* dst, int stride)
    {
        ulong v = RangeLimit(((dcq << Pass1Bits) + (1 << (Pass1Bits + 2))) >> (Pass1Bits + 3)) * 0x0101010101010101UL;
        for (int r = 0; r < 8; r++) Unsafe.WriteUnaligned(dst + r * stride, v);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.AggressiveInlining)]
    private static void Kernel(ref Vector256<int> r0, ref Vector256<int> r1, ref Vector256<int> r2, ref Vector256<int> r3,
                               ref Vector256<int> r4, ref Vector256<int> r5, ref Vector256<int> r6, ref Vector256<int> r7, int shift)
    {
        // Even part.
        var z2 = r2; var z3 = r6;
        var z1 = (z2 + z3) * Fix0541196100;
        var tmp2 = z1 + z3 * -Fix1847759065;
        var tmp3 = z1 + z2 * Fix0765366865;
        var tmp0 = Avx2.ShiftLeftLogical(r0 + r4, ConstBits);
        var tmp1 = Avx2.ShiftLeftLogical(r0 - r4, ConstBits);
        var tmp10 = tmp0 + tmp3; var tmp13 = tmp0 - tmp3;
        var tmp11 = tmp1 + tmp2; var tmp12 = tmp1 - tmp2;
        // Odd part.
        var t0 = r7; var t1 = r5; var t2 = r3; var t3 = r1;
        z1 = t0 + t3; z2 = t1 + t2; z3 = t0 + t2; var z4 = t1 + t3;
        var z5 = (z3 + z4) * Fix1175875602;
        t0 *= Fix0298631336; t1 *= Fix2053119869; t2 *= Fix3072711026; t3 *= Fix1501321110;
        z1 *= -Fix0899976223; z2 *= -Fix2562915447; z3 *= -Fix1961570560; z4 *= -Fix0390180644;
        z3 += z5; z4 += z5;
        t0 += z1 + z3; t1 += z2 + z4; t2 += z2 + z3; t3 += z1 + z4;
        var round = Vector256.Create(1 << (shift - 1));
        tmp10 += round; tmp11 += round; tmp12 += round; tmp13 += round;
        r0 = (tmp10 + t3) >> shift;
        r7 = (tmp10 - t3) >> shift;
        r1 = (tmp11 + t2) >> shift;
        r6 = (tmp11 - t2) >> shift;
        r2 = (tmp12 + t1) >> shift;
        r5 = (tmp12 - t1) >> shift;
        r3 = (tmp13 + t0) >> shift;
        r4 = (tmp13 - t0) >> shift;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose(ref Vector256<int> r0, ref Vector256<int> r1, ref Vector256<int> r2, ref Vector256<int> r3,
                                  ref Vector256<int> r4, ref Vector256<int> r5, ref Vector256<int> r6, ref Vector256<int> r7)
    {
        var t0 = Avx2.UnpackLow(r0, r1); var t1 = Avx2.UnpackHigh(r0, r1);
        var t2 = Avx2.UnpackLow(r2, r3); var t3 = Avx2.UnpackHigh(r2, r3);
        var t4 = Avx2.UnpackLow(r4, r5); var t5 = Avx2.UnpackHigh(r4, r5);
        var t6 = Avx2.UnpackLow(r6, r7); var t7 = Avx2.UnpackHigh(r6, r7);
        var u0 = Avx2.UnpackLow(t0.AsInt64(), t2.AsInt64()).AsInt32(); var u1 = Avx2.UnpackHigh(t0.AsInt64(), t2.AsInt64()).AsInt32();
        var u2 = Avx2.UnpackLow(t1.AsInt64(), t3.AsInt64()).AsInt32(); var u3 = Avx2.UnpackHigh(t1.AsInt64(), t3.AsInt64()).AsInt32();
        var u4 = Avx2.UnpackLow(t4.AsInt64(), t6.AsInt64()).AsInt32(); var u5 = Avx2.UnpackHigh(t4.AsInt64(), t6.AsInt64()).AsInt32();
        var u6 = Avx2.UnpackLow(t5.AsInt64(), t7.AsInt64()).AsInt32(); var u7 = Avx2.UnpackHigh(t5.AsInt64(), t7.AsInt64()).AsInt32();
        r0 = Avx2.Permute2x128(u0, u4, 0x20); r4 = Avx2.Permute2x128(u0, u4, 0x31);
        r1 = Avx2.Permute2x128(u1, u5, 0x20); r5 = Avx2.Permute2x128(u1, u5, 0x31);
        r2 = Avx2.Permute2x128(u2, u6, 0x20); r6 = Avx2.Permute2x128(u2, u6, 0x31);
        r3 = Avx2.Permute2x128(u3, u7, 0x20); r7 = Avx2.Permute2x128(u3, u7, 0x31);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Load(short* coef, int* quant, int row) =>
        Avx2.MultiplyLow(Avx2.ConvertToVector256Int32(coef + row * 8), Avx.LoadVector256(quant + row * 8));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Limit(Vector256<int> x)
    {
        var t = (x + Vector256.Create(128)) & Vector256.Create(1023);
        return Avx2.Min(t, Vector256.Create(255)) & Avx2.CompareGreaterThan(Vector256.Create(640), t);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void TransformAvx2(short* coef, int* quant, byte* dst, int stride)
    {
        // Pass 1: columns (each vector is a row, each lane a column).
        var r0 = Load(coef, quant, 0); var r1 = Load(coef, quant, 1); var r2 = Load(coef, quant, 2); var r3 = Load(coef, quant, 3);
        var r4 = Load(coef, quant, 4); var r5 = Load(coef, quant, 5); var r6 = Load(coef, quant, 6); var r7 = Load(coef, quant, 7);
        Kernel(ref r0, ref r1, ref r2, ref r3, ref r4, ref r5, ref r6, ref r7, ConstBits - Pass1Bits);
        // Pass 2: rows, after a transpose (each vector is a column index, each lane a row).
        Transpose(ref r0, ref r1, ref r2, ref r3, ref r4, ref r5, ref r6, ref r7);
        Kernel(ref r0, ref r1, ref r2, ref r3, ref r4, ref r5, ref r6, ref r7, ConstBits + Pass1Bits + 3);
        r0 = Limit(r0); r1 = Limit(r1); r2 = Limit(r2); r3 = Limit(r3);
        r4 = Limit(r4); r5 = Limit(r5); r6 = Limit(r6); r7 = Limit(r7);
        Transpose(ref r0, ref r1, ref r2, ref r3, ref r4, ref r5, ref r6, ref r7);
        // Pack rows to bytes: [r0 0-3 r1 0-3 r2 0-3 r3 0-3 | r0 4-7 ...] then regroup 32-bit granules per row.
        var perm = Vector256.Create(0, 4, 1, 5, 2, 6, 3, 7);
        var b0123 = Avx2.PermuteVar8x32(Avx2.PackUnsignedSaturate(Avx2.PackSignedSaturate(r0, r1), Avx2.PackSignedSaturate(r2, r3)).AsInt32(), perm).AsUInt64();
        var b4567 = Avx2.PermuteVar8x32(Avx2.PackUnsignedSaturate(Avx2.PackSignedSaturate(r4, r5), Avx2.PackSignedSaturate(r6, r7)).AsInt32(), perm).AsUInt64();
        *(ulong*)dst = b0123.GetElement(0);
        *(ulong*)(dst + stride) = b0123.GetElement(1);
        *(ulong*)(dst + 2 * stride) = b0123.GetElement(2);
        *(ulong*)(dst + 3 * stride) = b0123.GetElement(3);
        *(ulong*)(dst + 4 * stride) = b4567.GetElement(0);
        *(ulong*)(dst + 5 * stride) = b4567.GetElement(1);
        *(ulong*)(dst + 6 * stride) = b4567.GetElement(2);
        *(ulong*)(dst + 7 * stride) = b4567.GetElement(3);
    }

    /// <summary>Portable path: jidctint.c line by line.</summary>
    private static void TransformScalar(short* coef, int* quant, byte* dst, int stride)
    {
        int* ws = stackalloc int[64];
        for (int c = 0; c < 8; c++)
        {
            int* o = ws + c;
            Rows1D(coef[c] * quant[c], coef[8 + c] * quant[8 + c], coef[16 + c] * quant[16 + c], coef[24 + c] * quant[24 + c],
                   coef[32 + c] * quant[32 + c], coef[40 + c] * quant[40 + c], coef[48 + c] * quant[48 + c], coef[56 + c] * quant[56 + c],
                   ConstBits - Pass1Bits, o, 8);
        }
        int* tmp = stackalloc int[8];
        for (int r = 0; r < 8; r++)
        {
            int* w = ws + r * 8;
            Rows1D(w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7], ConstBits + Pass1Bits + 3, tmp, 1);
            byte* d = dst + r * stride;
            for (int i = 0; i < 8; i++) d[i] = RangeLimit(tmp[i]);
        }
    }

    private static void Rows1D(int i0, int i1, int i2, int i3, int i4, int i5, int i6, int i7, int shift, int* o, int step)
    {
        int z1 = (i2 + i6) * Fix0541196100;
        int tmp2 = z1 + i6 * -Fix1847759065;
        int tmp3 = z1 + i2 * Fix0765366865;
        int tmp0 = (i0 + i4) << ConstBits;
        int tmp1 = (i0 - i4) << ConstBits;
        int tmp10 = tmp0 + tmp3, tmp13 = tmp0 - tmp3, tmp11 = tmp1 + tmp2, tmp12 = tmp1 - tmp2;
        int t0 = i7, t1 = i5, t2 = i3, t3 = i1;
        z1 = t0 + t3; int z2 = t1 + t2, z3 = t0 + t2, z4 = t1 + t3;
        int z5 = (z3 + z4) * Fix1175875602;
        t0 *= Fix0298631336; t1 *= Fix2053119869; t2 *= Fix3072711026; t3 *= Fix1501321110;
        z1 *= -Fix0899976223; z2 *= -Fix2562915447; z3 *= -Fix1961570560; z4 *= -Fix0390180644;
        z3 += z5; z4 += z5;
        t0 += z1 + z3; t1 += z2 + z4; t2 += z2 + z3; t3 += z1 + z4;
        int round = 1 << (shift - 1);
        o[0] = (tmp10 + t3 + round) >> shift; o[7 * step] = (tmp10 - t3 + round) >> shift;
        o[step] = (tmp11 + t2 + round) >> shift; o[6 * step] = (tmp11 - t2 + round) >> shift;
        o[2 * step] = (tmp12 + t1 + round) >> shift; o[5 * step] = (tmp12 - t1 + round) >> shift;
        o[3 * step] = (tmp13 + t0 + round) >> shift; o[4 * step] = (tmp13 - t0 + round) >> shift;
    }
}
