using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace OctaveML.Blas;

/// <summary>
/// AVX2 + FMA dot-product kernel (see <see cref="IGemmDotKernel"/>), 4 rows of A x 3 rows of B:
/// twelve ymm accumulators, three B vectors and one A vector fill the sixteen registers.
/// </summary>
internal readonly unsafe struct GemmDotKernel256 : IGemmDotKernel
{
    public static int Rows => 4;
    public static int Cols => 3;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Block(int k, float* a, nint lda, float* b, nint ldb, float* dots)
    {
        float* a0 = a, a1 = a + lda, a2 = a + 2 * lda, a3 = a + 3 * lda;
        float* b0 = b, b1 = b + ldb, b2 = b + 2 * ldb;
        Vector256<float> c00 = default, c01 = default, c02 = default;
        Vector256<float> c10 = default, c11 = default, c12 = default;
        Vector256<float> c20 = default, c21 = default, c22 = default;
        Vector256<float> c30 = default, c31 = default, c32 = default;
        int full = k & ~7;
        for (int p = 0; p < full; p += 8)
        {
            Vector256<float> y0 = Vector256.Load(b0 + p), y1 = Vector256.Load(b1 + p), y2 = Vector256.Load(b2 + p);
            Vector256<float> x = Vector256.Load(a0 + p);
            c00 = Vector256.FusedMultiplyAdd(x, y0, c00);
            c01 = Vector256.FusedMultiplyAdd(x, y1, c01);
            c02 = Vector256.FusedMultiplyAdd(x, y2, c02);
            x = Vector256.Load(a1 + p);
            c10 = Vector256.FusedMultiplyAdd(x, y0, c10);
            c11 = Vector256.FusedMultiplyAdd(x, y1, c11);
            c12 = Vector256.FusedMultiplyAdd(x, y2, c12);
            x = Vector256.Load(a2 + p);
            c20 = Vector256.FusedMultiplyAdd(x, y0, c20);
            c21 = Vector256.FusedMultiplyAdd(x, y1, c21);
            c22 = Vector256.FusedMultiplyAdd(x, y2, c22);
            x = Vector256.Load(a3 + p);
            c30 = Vector256.FusedMultiplyAdd(x, y0, c30);
            c31 = Vector256.FusedMultiplyAdd(x, y1, c31);
            c32 = Vector256.FusedMultiplyAdd(x, y2, c32);
        }
        if (full < k && k >= 8)
        {
            // The last k % 8 depths: one more vector ending at k, with A's lanes already summed zeroed.
            int p = k - 8;
            Vector256<float> mask = Vector256.GreaterThanOrEqual(Vector256<int>.Indices, Vector256.Create(full + 8 - k)).AsSingle();
            Vector256<float> y0 = Vector256.Load(b0 + p) & mask, y1 = Vector256.Load(b1 + p) & mask, y2 = Vector256.Load(b2 + p) & mask;
            Vector256<float> x = Vector256.Load(a0 + p) & mask;
            c00 = Vector256.FusedMultiplyAdd(x, y0, c00);
            c01 = Vector256.FusedMultiplyAdd(x, y1, c01);
            c02 = Vector256.FusedMultiplyAdd(x, y2, c02);
            x = Vector256.Load(a1 + p) & mask;
            c10 = Vector256.FusedMultiplyAdd(x, y0, c10);
            c11 = Vector256.FusedMultiplyAdd(x, y1, c11);
            c12 = Vector256.FusedMultiplyAdd(x, y2, c12);
            x = Vector256.Load(a2 + p) & mask;
            c20 = Vector256.FusedMultiplyAdd(x, y0, c20);
            c21 = Vector256.FusedMultiplyAdd(x, y1, c21);
            c22 = Vector256.FusedMultiplyAdd(x, y2, c22);
            x = Vector256.Load(a3 + p) & mask;
            c30 = Vector256.FusedMultiplyAdd(x, y0, c30);
            c31 = Vector256.FusedMultiplyAdd(x, y1, c31);
            c32 = Vector256.FusedMultiplyAdd(x, y2, c32);
            full = k;
        }
        dots[0] = Vector256.Sum(c00); dots[1] = Vector256.Sum(c01); dots[2] = Vector256.Sum(c02);
        dots[3] = Vector256.Sum(c10); dots[4] = Vector256.Sum(c11); dots[5] = Vector256.Sum(c12);
        dots[6] = Vector256.Sum(c20); dots[7] = Vector256.Sum(c21); dots[8] = Vector256.Sum(c22);
        dots[9] = Vector256.Sum(c30); dots[10] = Vector256.Sum(c31); dots[11] = Vector256.Sum(c32);
        if (full < k)
            GemmDotTail.Add(full, k, a, lda, 4, b, ldb, 3, dots);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float Dot(int k, float* a, float* b)
    {
        Vector256<float> acc = default;
        int full = k & ~7;
        for (int p = 0; p < full; p += 8)
            acc = Vector256.FusedMultiplyAdd(Vector256.Load(a + p), Vector256.Load(b + p), acc);
        float s = Vector256.Sum(acc);
        for (int p = full; p < k; p++) s = MathF.FusedMultiplyAdd(a[p], b[p], s);
        return s;
    }
}
