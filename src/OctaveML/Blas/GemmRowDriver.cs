using System.Runtime.CompilerServices;
using OctaveML.Threading;

namespace OctaveML.Blas;

/// <summary>
/// GEMM for few rows of C (op(A) small, B not transposed): packs only A, then sweeps NR-column
/// strips of B read in place by an <see cref="IGemmRowKernel"/>. With M at most a few MR, a
/// packed B element would serve only M rows, so copying B costs about as much as multiplying.
/// </summary>
/// <remarks>
/// Each element is summed over the same k slices (which depend only on k and the row count) in
/// the same order, whatever strips a thread gets, so results do not depend on the thread count.
/// A ragged last strip (n % NR columns) is copied into a zero-padded NR-wide buffer.
/// </remarks>
internal static unsafe class GemmRowDriver<TK> where TK : struct, IGemmRowKernel
{
    /// <summary>Computes the whole problem (requires !TransB), split by column strips over <paramref name="threads"/>.</summary>
    public static void Run(in GemmProblem g, int threads)
    {
        int mr = TK.MR;
        int panels = (g.M + mr - 1) / mr;
        // One row panel reads each B element once: no reason to slice k. Several panels reuse a
        // strip, which then must stay in L1 across them.
        int kcMax = panels == 1 ? g.K : SliceDepth(g.K);
        bool packed = false;
        float* ap = g.ConstantA
            ? GemmACache.Get(g.A, g.Lda, g.TransA, 0, g.M, g.K, typeof(GemmRowDriver<TK>).TypeHandle.Value, (long)panels * mr * g.K, out packed)
            : GemmWorkspace.Current.A((long)panels * mr * g.K);
        if (!packed) TK.PackA(g.A, g.Lda, g.TransA, g.M, g.K, ap);
        int strips = (g.N + TK.NR - 1) / TK.NR;
        if (threads <= 1 || strips < 2)
        {
            Strips(g, ap, kcMax, 0, strips);
            return;
        }
        GemmProblem gc = g;
        nint apAddr = (nint)ap;
        Parallelism.ForChunks(strips, threads, (_, s0, s1) => Strips(gc, (float*)apAddr, kcMax, s0, s1), threads);
    }

    private static int SliceDepth(int k)
    {
        int slices = (k + TK.KC - 1) / TK.KC;
        return (k + slices - 1) / slices;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Strips(in GemmProblem g, float* ap, int kcMax, int s0, int s1)
    {
        int mr = TK.MR, nr = TK.NR;
        float* tile = stackalloc float[mr * nr];
        float* scales = stackalloc float[2];
        float* one = stackalloc float[2] { 1f, 0f };
        for (int s = s0; s < s1; s++)
        {
            int jc = s * nr;
            int cols = Math.Min(nr, g.N - jc);
            float* b = g.B + jc;
            nint ldb = g.Ldb;
            if (cols < nr)
            {
                // Ragged last strip: a zero-padded copy, so the kernel never reads past B's rows.
                float* e = GemmWorkspace.Current.B((long)g.K * nr);
                for (int p = 0; p < g.K; p++)
                {
                    new ReadOnlySpan<float>(g.B + p * g.Ldb + jc, cols).CopyTo(new Span<float>(e + (nint)p * nr, cols));
                    new Span<float>(e + (nint)p * nr + cols, nr - cols).Clear();
                }
                b = e;
                ldb = nr;
            }
            for (int pc = 0; pc < g.K; pc += kcMax)
            {
                int kc = Math.Min(kcMax, g.K - pc);
                bool first = pc == 0;
                bool overwrite = first && g.Beta == 0;
                scales[0] = g.Alpha;
                scales[1] = first ? g.Beta : 1f;
                float* bs = b + pc * ldb;
                for (int ir = 0; ir < g.M; ir += mr)
                {
                    int rows = Math.Min(mr, g.M - ir);
                    float* apanel = ap + (nint)ir * g.K + (nint)pc * mr;
                    float* ct = g.C + ir * g.Ldc + jc;
                    if (rows == mr && cols == nr)
                    {
                        TK.Run(kc, apanel, bs, ldb, ct, g.Ldc, scales, overwrite);
                        continue;
                    }
                    // Ragged tile: raw sums into scratch, then the kernel's update element by element.
                    TK.Run(kc, apanel, bs, ldb, tile, nr, one, true);
                    float alpha = scales[0], beta = scales[1];
                    for (int i = 0; i < rows; i++)
                    {
                        float* t = tile + i * nr;
                        float* crow = ct + i * g.Ldc;
                        if (overwrite)
                            for (int j = 0; j < cols; j++) crow[j] = t[j] * alpha;
                        else
                            for (int j = 0; j < cols; j++) crow[j] = MathF.FusedMultiplyAdd(t[j], alpha, beta * crow[j]);
                    }
                }
            }
        }
    }
}
