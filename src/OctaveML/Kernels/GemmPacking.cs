using System.Runtime.CompilerServices;

namespace OctaveML.Kernels;

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
                for (int p = 0; p < kc; p++, src += lda)
                {
                    float* d = dst + (nint)p * mr;
                    int i = 0;
                    for (; i < rows; i++) d[i] = src[i];
                    for (; i < mr; i++) d[i] = 0;
                }
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
        for (int jr = 0; jr < nc; jr += nr, dst += (nint)nr * kc)
        {
            int cols = Math.Min(nr, nc - jr);
            if (!trans)
            {
                float* src = b + (nint)p0 * ldb + j0 + jr;
                if (cols == nr)
                {
                    for (int p = 0; p < kc; p++, src += ldb)
                        Unsafe.CopyBlockUnaligned(dst + (nint)p * nr, src, (uint)(nr * sizeof(float)));
                }
                else
                {
                    for (int p = 0; p < kc; p++, src += ldb)
                    {
                        float* d = dst + (nint)p * nr;
                        int j = 0;
                        for (; j < cols; j++) d[j] = src[j];
                        for (; j < nr; j++) d[j] = 0;
                    }
                }
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
}
