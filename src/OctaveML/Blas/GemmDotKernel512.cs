using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace OctaveML.Blas;

/// <summary>
/// AVX-512 dot-product kernel (see <see cref="IGemmDotKernel"/>), 4 rows of A x 4 rows of B:
/// sixteen zmm accumulators for eight loads per sixteen FMAs.
/// </summary>
internal readonly unsafe struct GemmDotKernel512 : IGemmDotKernel
{
    public static int Rows => 4;
    public static int Cols => 4;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Block(int k, float* a, nint lda, float* b, nint ldb, float* dots)
    {
        float* a0 = a, a1 = a + lda, a2 = a + 2 * lda, a3 = a + 3 * lda;
        float* b0 = b, b1 = b + ldb, b2 = b + 2 * ldb, b3 = b + 3 * ldb;
        Vector512<float> c00 = default, c01 = default, c02 = default, c03 = default;
        Vector512<float> c10 = default, c11 = default, c12 = default, c13 = default;
        Vector512<float> c20 = default, c21 = default, c22 = default, c23 = default;
        Vector512<float> c30 = default, c31 = default, c32 = default, c33 = default;
        int full = k & ~15;
        for (int p = 0; p < full; p += 16)
        {
            Vector512<float> y0 = Vector512.Load(b0 + p), y1 = Vector512.Load(b1 + p);
            Vector512<float> y2 = Vector512.Load(b2 + p), y3 = Vector512.Load(b3 + p);
            Vector512<float> x = Vector512.Load(a0 + p);
            c00 = Vector512.FusedMultiplyAdd(x, y0, c00);
            c01 = Vector512.FusedMultiplyAdd(x, y1, c01);
            c02 = Vector512.FusedMultiplyAdd(x, y2, c02);
            c03 = Vector512.FusedMultiplyAdd(x, y3, c03);
            x = Vector512.Load(a1 + p);
            c10 = Vector512.FusedMultiplyAdd(x, y0, c10);
            c11 = Vector512.FusedMultiplyAdd(x, y1, c11);
            c12 = Vector512.FusedMultiplyAdd(x, y2, c12);
            c13 = Vector512.FusedMultiplyAdd(x, y3, c13);
            x = Vector512.Load(a2 + p);
            c20 = Vector512.FusedMultiplyAdd(x, y0, c20);
            c21 = Vector512.FusedMultiplyAdd(x, y1, c21);
            c22 = Vector512.FusedMultiplyAdd(x, y2, c22);
            c23 = Vector512.FusedMultiplyAdd(x, y3, c23);
            x = Vector512.Load(a3 + p);
            c30 = Vector512.FusedMultiplyAdd(x, y0, c30);
            c31 = Vector512.FusedMultiplyAdd(x, y1, c31);
            c32 = Vector512.FusedMultiplyAdd(x, y2, c32);
            c33 = Vector512.FusedMultiplyAdd(x, y3, c33);
        }
        if (full < k && k >= 16)
        {
            // The last k % 16 depths: one more vector ending at k, with A's lanes already summed zeroed.
            int p = k - 16;
            Vector512<float> mask = Vector512.GreaterThanOrEqual(Vector512<int>.Indices, Vector512.Create(full + 16 - k)).AsSingle();
            Vector512<float> y0 = Vector512.Load(b0 + p) & mask, y1 = Vector512.Load(b1 + p) & mask;
            Vector512<float> y2 = Vector512.Load(b2 + p) & mask, y3 = Vector512.Load(b3 + p) & mask;
            Vector512<float> x = Vector512.Load(a0 + p) & mask;
            c00 = Vector512.FusedMultiplyAdd(x, y0, c00);
            c01 = Vector512.FusedMultiplyAdd(x, y1, c01);
            c02 = Vector512.FusedMultiplyAdd(x, y2, c02);
            c03 = Vector512.FusedMultiplyAdd(x, y3, c03);
            x = Vector512.Load(a1 + p) & mask;
            c10 = Vector512.FusedMultiplyAdd(x, y0, c10);
            c11 = Vector512.FusedMultiplyAdd(x, y1, c11);
            c12 = Vector512.FusedMultiplyAdd(x, y2, c12);
            c13 = Vector512.FusedMultiplyAdd(x, y3, c13);
            x = Vector512.Load(a2 + p) & mask;
            c20 = Vector512.FusedMultiplyAdd(x, y0, c20);
            c21 = Vector512.FusedMultiplyAdd(x, y1, c21);
            c22 = Vector512.FusedMultiplyAdd(x, y2, c22);
            c23 = Vector512.FusedMultiplyAdd(x, y3, c23);
            x = Vector512.Load(a3 + p) & mask;
            c30 = Vector512.FusedMultiplyAdd(x, y0, c30);
            c31 = Vector512.FusedMultiplyAdd(x, y1, c31);
            c32 = Vector512.FusedMultiplyAdd(x, y2, c32);
            c33 = Vector512.FusedMultiplyAdd(x, y3, c33);
            full = k;
        }
        dots[0] = Vector512.Sum(c00); dots[1] = Vector512.Sum(c01); dots[2] = Vector512.Sum(c02); dots[3] = Vector512.Sum(c03);
        dots[4] = Vector512.Sum(c10); dots[5] = Vector512.Sum(c11); dots[6] = Vector512.Sum(c12); dots[7] = Vector512.Sum(c13);
        dots[8] = Vector512.Sum(c20); dots[9] = Vector512.Sum(c21); dots[10] = Vector512.Sum(c22); dots[11] = Vector512.Sum(c23);
        dots[12] = Vector512.Sum(c30); dots[13] = Vector512.Sum(c31); dots[14] = Vector512.Sum(c32); dots[15] = Vector512.Sum(c33);
        if (full < k)
            GemmDotTail.Add(full, k, a, lda, 4, b, ldb, 4, dots);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float Dot(int k, float* a, float* b)
    {
        Vector512<float> acc = default;
        int full = k & ~15;
        for (int p = 0; p < full; p += 16)
            acc = Vector512.FusedMultiplyAdd(Vector512.Load(a + p), Vector512.Load(b + p), acc);
        float s = Vector512.Sum(acc);
        for (int p = full; p < k; p++) s = MathF.FusedMultiplyAdd(a[p], b[p], s);
        return s;
    }
}
