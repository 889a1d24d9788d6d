using System.Runtime.CompilerServices;
using OctaveML.Threading;

namespace OctaveML.Blas;

/// <summary>
/// C (+)= A * B^T for A[m x k] and B[n x k] both contiguous along k (a convolution's weight
/// gradient dW = dY * col^T: few rows, few columns, k = pixels): blocks of an
/// <see cref="IGemmDotKernel"/>, with no packing at all.
/// </summary>
/// <remarks>
/// Each element is one dot product whose order depends only on k and on whether the element
/// lies in a full block (fixed by m and n), so the thread split never changes a bit.
/// </remarks>
internal static unsafe class GemmDotDriver<TK> where TK : struct, IGemmDotKernel
{
    /// <summary>Computes the whole problem (requires !TransA and TransB), split by column blocks over <paramref name="threads"/>.</summary>
    public static void Run(in GemmProblem g, int threads)
    {
        int units = (g.N + TK.Cols - 1) / TK.Cols;
        if (threads <= 1 || units < 2)
        {
            Columns(g, 0, units);
            return;
        }
        GemmProblem gc = g;
        Parallelism.ForChunks(units, threads, (_, u0, u1) => Columns(gc, u0, u1), threads);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Columns(in GemmProblem g, int u0, int u1)
    {
        int rb = TK.Rows, cb = TK.Cols;
        float* dots = stackalloc float[rb * cb];
        // A ragged edge block (channel counts are rarely multiples of 3) is a full block shifted back to end at the
        // matrix's edge, its overlap with the previous block thrown away: per-element dot products, one accumulator
        // chain each, ran several times slower than a block. Only a matrix smaller than a block goes element by element.
        bool blocks = g.M >= rb && g.N >= cb;
        for (int u = u0; u < u1; u++)
        {
            int j0 = u * cb;
            int cols = Math.Min(cb, g.N - j0);
            int jb = blocks ? Math.Min(j0, g.N - cb) : j0;
            float* b = g.B + jb * g.Ldb;
            for (int i0 = 0; i0 < g.M; i0 += rb)
            {
                int rows = Math.Min(rb, g.M - i0);
                int ib = blocks ? Math.Min(i0, g.M - rb) : i0;
                float* a = g.A + ib * g.Lda;
                if (blocks)
                {
                    TK.Block(g.K, a, g.Lda, b, g.Ldb, dots);
                }
                else
                {
                    for (int r = 0; r < rows; r++)
                        for (int j = 0; j < cols; j++)
                            dots[r * cb + j] = TK.Dot(g.K, a + r * g.Lda, b + j * g.Ldb);
                }
                for (int r = 0; r < rows; r++)
                {
                    float* crow = g.C + (i0 + r) * g.Ldc + j0;
                    float* d = dots + (i0 - ib + r) * cb + (j0 - jb);
                    if (g.Beta == 0)
                        for (int j = 0; j < cols; j++) crow[j] = d[j] * g.Alpha;
                    else
                        for (int j = 0; j < cols; j++) crow[j] = MathF.FusedMultiplyAdd(d[j], g.Alpha, g.Beta * crow[j]);
                }
            }
        }
    }
}
