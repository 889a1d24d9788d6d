using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace OctaveML.Blas;

/// <summary>
/// Copies blocks of op(A) and op(B) into the contiguous micro-panel layout the micro-kernels
/// stream through: A as MR-row panels stored column by column (a[p*MR + i]), B as NR-column
/// panels stored row by row (b[p*NR + j]). Transposition is absorbed here, and ragged edges are
/// padded with zeros so the micro-kernel always runs full tiles.
/// </summary>
internal static unsafe class GemmPacking
{
    /// <summary>
    /// Packs rows [i0, i0+mc) and depth [p0, p0+kc) of op(A) into ceil(mc/MR) panels of MR*kc floats.
    /// A is stored m x k (row stride lda) or, when <paramref name="trans"/>, k x m.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackA<TK>(float* a, nint lda, bool trans, int i0, int mc, int p0, int kc, float* dst)
        where TK : struct, IGemmMicroKernel
    {
        int mr = TK.MR;
        for (int ir = 0; ir < mc; ir += mr, dst += (nint)mr * kc)
        {
            int rows = Math.Min(mr, mc - ir);
            if (trans)
            {
                // op(A)[i, p] = A[p, i]: each depth step is a contiguous run of rows.
                float* src = a + (nint)p0 * lda + i0 + ir;
                if (rows == mr && (mr == 4 || mr == 6 || mr == 8))
                {
                    // Full panels (the weights of an input-gradient product): one vector copy a depth step;
                    // element by element this pass cost a third of the product on 512 x 4608 weights.
                    PackRowsOfTransposed(src, lda, mr, kc, dst);
                    continue;
                }
                for (int p = 0; p < kc; p++, src += lda)
                {
                    float* d = dst + (nint)p * mr;
                    int i = 0;
                    for (; i < rows; i++) d[i] = src[i];
                    for (; i < mr; i++) d[i] = 0;
                }
            }
            else if (rows == mr && mr % 8 == 0 && Avx.IsSupported)
            {
                // op(A)[i, p] = A[i, p]: 8 x 8 register transposes, scalar for the last kc % 8.
                float* src = a + (nint)(i0 + ir) * lda + p0;
                int p = 0;
                for (; p + 8 <= kc; p += 8)
                    for (int ib = 0; ib < mr; ib += 8)
                        Transpose8x8(src + ib * lda + p, lda, dst + (nint)p * mr + ib, mr);
                for (; p < kc; p++)
                    for (int i = 0; i < mr; i++)
                        dst[(nint)p * mr + i] = src[i * lda + p];
            }
            else if (rows == mr && mr == 6 && Avx.IsSupported)
            {
                // Six-row panels (AVX2 kernel): the same transposes with two zero rows. Each
                // 8-float store spills 2 floats into the next depth step, which the next store
                // overwrites, so the vector loop stops while at least one step is left for the
                // scalar tail (nothing is written past the panel).
                float* src = a + (nint)(i0 + ir) * lda + p0;
                int p = 0;
                for (; p + 8 < kc; p += 8)
                    Transpose6x8(src + p, lda, dst + (nint)p * 6);
                for (; p < kc; p++)
                    for (int i = 0; i < 6; i++)
                        dst[(nint)p * 6 + i] = src[i * lda + p];
            }
            else
            {
                // op(A)[i, p] = A[i, p]: read each row sequentially, scatter with stride MR.
                for (int i = 0; i < rows; i++)
                {
                    float* src = a + (nint)(i0 + ir + i) * lda + p0;
                    float* d = dst + i;
                    for (int p = 0; p < kc; p++, d += mr) *d = src[p];
                }
                for (int i = rows; i < mr; i++)
                {
                    float* d = dst + i;
                    for (int p = 0; p < kc; p++, d += mr) *d = 0;
                }
            }
        }
    }

    /// <summary>
    /// Packs depth [p0, p0+kc) and columns [j0, j0+nc) of op(B) into ceil(nc/NR) panels of kc*NR floats.
    /// B is stored k x n (row stride ldb) or, when <paramref name="trans"/>, n x k.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackB<TK>(float* b, nint ldb, bool trans, int p0, int kc, int j0, int nc, float* dst)
        where TK : struct, IGemmMicroKernel
    {
        int nr = TK.NR;
        if (!trans)
        {
            // op(B)[p, j] = B[p, j]: rows are contiguous. Walk a few rows at a time across all
            // panels, so the reads are a handful of sequential streams (walking one panel down all
            // kc rows would jump a page per row and defeat the prefetchers).
            const int RowsPerPass = 4;
            int fullPanels = nc / nr;
            for (int pb = 0; pb < kc; pb += RowsPerPass)
            {
                int pe = Math.Min(kc, pb + RowsPerPass);
                float* d = dst;
                for (int jp = 0; jp < fullPanels; jp++, d += (nint)nr * kc)
                {
                    float* src = b + (nint)(p0 + pb) * ldb + j0 + jp * nr;
                    for (int p = pb; p < pe; p++, src += ldb)
                        Unsafe.CopyBlockUnaligned(d + (nint)p * nr, src, (uint)(nr * sizeof(float)));
                }
            }
            int cols = nc - fullPanels * nr;
            if (cols > 0)
            {
                float* src = b + (nint)p0 * ldb + j0 + fullPanels * nr;
                float* d = dst + (nint)fullPanels * nr * kc;
                // Block copies: per element, this panel cost as much as the multiply for small m.
                for (int p = 0; p < kc; p++, src += ldb, d += nr)
                {
                    Unsafe.CopyBlockUnaligned(d, src, (uint)(cols * sizeof(float)));
                    Unsafe.InitBlockUnaligned(d + cols, 0, (uint)((nr - cols) * sizeof(float)));
                }
            }
            return;
        }

        for (int jr = 0; jr < nc; jr += nr, dst += (nint)nr * kc)
        {
            int cols = Math.Min(nr, nc - jr);
            if (cols == nr && nr % 8 == 0 && Avx.IsSupported)
            {
                // op(B)[p, j] = B[j, p]: 8 x 8 register transposes, scalar for the last kc % 8.
                float* src = b + (nint)(j0 + jr) * ldb + p0;
                int p = 0;
                for (; p + 8 <= kc; p += 8)
                    for (int jb = 0; jb < nr; jb += 8)
                        Transpose8x8(src + jb * ldb + p, ldb, dst + (nint)p * nr + jb, nr);
                for (; p < kc; p++)
                    for (int j = 0; j < nr; j++)
                        dst[(nint)p * nr + j] = src[j * ldb + p];
            }
            else
            {
                // op(B)[p, j] = B[j, p]: read each stored row sequentially, scatter with stride NR.
                for (int j = 0; j < cols; j++)
                {
                    float* src = b + (nint)(j0 + jr + j) * ldb + p0;
                    float* d = dst + j;
                    for (int p = 0; p < kc; p++, d += nr) *d = src[p];
                }
                for (int j = cols; j < nr; j++)
                {
                    float* d = dst + j;
                    for (int p = 0; p < kc; p++, d += nr) *d = 0;
                }
            }
        }
    }

    /// <summary>dst[p * mr + i] = src[p * stride + i] for p &lt; kc, i &lt; mr (4, 6 or 8): never reads past a panel's rows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void PackRowsOfTransposed(float* src, nint stride, int mr, int kc, float* dst)
    {
        if (mr == 8)
        {
            for (int p = 0; p < kc; p++, src += stride, dst += 8) Vector256.Store(Vector256.Load(src), dst);
        }
        else if (mr == 6)
        {
            for (int p = 0; p < kc; p++, src += stride, dst += 6)
            {
                Vector128.Store(Vector128.Load(src), dst);
                Unsafe.WriteUnaligned(dst + 4, Unsafe.ReadUnaligned<long>(src + 4));
            }
        }
        else
        {
            for (int p = 0; p < kc; p++, src += stride, dst += 4) Vector128.Store(Vector128.Load(src), dst);
        }
    }

    /// <summary>dst[q * dstStride + r] = src[r * srcStride + q] for r, q &lt; 8 (AVX).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose8x8(float* src, nint srcStride, float* dst, nint dstStride)
    {
        Vector256<float> r0 = Avx.LoadVector256(src), r1 = Avx.LoadVector256(src + srcStride);
        Vector256<float> r2 = Avx.LoadVector256(src + 2 * srcStride), r3 = Avx.LoadVector256(src + 3 * srcStride);
        Vector256<float> r4 = Avx.LoadVector256(src + 4 * srcStride), r5 = Avx.LoadVector256(src + 5 * srcStride);
        Vector256<float> r6 = Avx.LoadVector256(src + 6 * srcStride), r7 = Avx.LoadVector256(src + 7 * srcStride);
        Vector256<float> t0 = Avx.UnpackLow(r0, r1), t1 = Avx.UnpackHigh(r0, r1);
        Vector256<float> t2 = Avx.UnpackLow(r2, r3), t3 = Avx.UnpackHigh(r2, r3);
        Vector256<float> t4 = Avx.UnpackLow(r4, r5), t5 = Avx.UnpackHigh(r4, r5);
        Vector256<float> t6 = Avx.UnpackLow(r6, r7), t7 = Avx.UnpackHigh(r6, r7);
        Vector256<float> u0 = Avx.Shuffle(t0, t2, 0x44), u1 = Avx.Shuffle(t0, t2, 0xEE);
        Vector256<float> u2 = Avx.Shuffle(t1, t3, 0x44), u3 = Avx.Shuffle(t1, t3, 0xEE);
        Vector256<float> u4 = Avx.Shuffle(t4, t6, 0x44), u5 = Avx.Shuffle(t4, t6, 0xEE);
        Vector256<float> u6 = Avx.Shuffle(t5, t7, 0x44), u7 = Avx.Shuffle(t5, t7, 0xEE);
        Avx.Store(dst, Avx.Permute2x128(u0, u4, 0x20));
        Avx.Store(dst + dstStride, Avx.Permute2x128(u1, u5, 0x20));
        Avx.Store(dst + 2 * dstStride, Avx.Permute2x128(u2, u6, 0x20));
        Avx.Store(dst + 3 * dstStride, Avx.Permute2x128(u3, u7, 0x20));
        Avx.Store(dst + 4 * dstStride, Avx.Permute2x128(u0, u4, 0x31));
        Avx.Store(dst + 5 * dstStride, Avx.Permute2x128(u1, u5, 0x31));
        Avx.Store(dst + 6 * dstStride, Avx.Permute2x128(u2, u6, 0x31));
        Avx.Store(dst + 7 * dstStride, Avx.Permute2x128(u3, u7, 0x31));
    }

    /// <summary>
    /// dst[q * 6 + r] = src[r * srcStride + q] for r &lt; 6, q &lt; 8 (AVX); also writes
    /// dst[48] and dst[49] (garbage the caller overwrites).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose6x8(float* src, nint srcStride, float* dst)
    {
        Vector256<float> r0 = Avx.LoadVector256(src), r1 = Avx.LoadVector256(src + srcStride);
        Vector256<float> r2 = Avx.LoadVector256(src + 2 * srcStride), r3 = Avx.LoadVector256(src + 3 * srcStride);
        Vector256<float> r4 = Avx.LoadVector256(src + 4 * srcStride), r5 = Avx.LoadVector256(src + 5 * srcStride);
        Vector256<float> zero = Vector256<float>.Zero;
        Vector256<float> t0 = Avx.UnpackLow(r0, r1), t1 = Avx.UnpackHigh(r0, r1);
        Vector256<float> t2 = Avx.UnpackLow(r2, r3), t3 = Avx.UnpackHigh(r2, r3);
        Vector256<float> t4 = Avx.UnpackLow(r4, r5), t5 = Avx.UnpackHigh(r4, r5);
        Vector256<float> u0 = Avx.Shuffle(t0, t2, 0x44), u1 = Avx.Shuffle(t0, t2, 0xEE);
        Vector256<float> u2 = Avx.Shuffle(t1, t3, 0x44), u3 = Avx.Shuffle(t1, t3, 0xEE);
        Vector256<float> u4 = Avx.Shuffle(t4, zero, 0x44), u5 = Avx.Shuffle(t4, zero, 0xEE);
        Vector256<float> u6 = Avx.Shuffle(t5, zero, 0x44), u7 = Avx.Shuffle(t5, zero, 0xEE);
        Avx.Store(dst, Avx.Permute2x128(u0, u4, 0x20));
        Avx.Store(dst + 6, Avx.Permute2x128(u1, u5, 0x20));
        Avx.Store(dst + 12, Avx.Permute2x128(u2, u6, 0x20));
        Avx.Store(dst + 18, Avx.Permute2x128(u3, u7, 0x20));
        Avx.Store(dst + 24, Avx.Permute2x128(u0, u4, 0x31));
        Avx.Store(dst + 30, Avx.Permute2x128(u1, u5, 0x31));
        Avx.Store(dst + 36, Avx.Permute2x128(u2, u6, 0x31));
        Avx.Store(dst + 42, Avx.Permute2x128(u3, u7, 0x31));
    }
}
