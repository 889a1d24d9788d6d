using System.Runtime.CompilerServices;

namespace OctaveML.Blas;

/// <summary>The operands of one <see cref="Gemm.Sgemm"/> call, as pinned pointers.</summary>
internal unsafe struct GemmProblem
{
    public float* A, B, C;
    public nint Lda, Ldb, Ldc;
    public bool TransA, TransB;
    public int M, N, K;
    public float Alpha, Beta;
    /// <summary>A stays constant until the calling thread calls <see cref="GemmACache.Forget"/>: its packing may be reused.</summary>
    public bool ConstantA;
}

/// <summary>
/// The GotoBLAS/BLIS loop nest around a micro-kernel, for one rectangle of C on one thread:
/// for each NC-column block, for each KC-deep slice, pack the B block (L3-resident), then for each
/// MC-row block pack the A block (L2-resident) and sweep NR-column B micro-panels (L1-resident)
/// against MR-row A micro-panels. The k slicing depends only on k, so every element of C is summed
/// in the same order whatever rectangle (hence thread split) it falls in.
/// </summary>
internal static unsafe class GemmDriver<TK> where TK : struct, IGemmMicroKernel
{
    /// <summary>Depth of each packed slice: k cut into equal slices of at most KC.</summary>
    public static int SliceDepth(int k)
    {
        int slices = (k + TK.KC - 1) / TK.KC;
        return (k + slices - 1) / slices;
    }

    /// <summary>
    /// Floats of packed B kept per block when all of A's rows fit one packed block (a quarter
    /// of a 1 MiB L2, half of a 512 KiB one).
    /// </summary>
    private const int L2BlockFloats = 64 * 1024;

    /// <summary>Computes C[i0..i1, j0..j1) of the problem on the calling thread.</summary>
    /// <remarks>
    /// When the rows fit one MC block (the convolution case: few output channels, many pixels),
    /// A is packed once for every k slice and kept, and B is packed in narrow L2-sized blocks;
    /// otherwise the classic order repacks A per column block and B blocks are L3-sized.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(in GemmProblem g, int i0, int i1, int j0, int j1)
    {
        int mr = TK.MR, nr = TK.NR;
        int kcMax = SliceDepth(g.K);
        int slices = (g.K + kcMax - 1) / kcMax;
        bool aResident = i1 - i0 <= TK.MC;
        int mcMax = Math.Min(TK.MC, RoundUp(i1 - i0, mr));
        int ncStep = aResident ? Math.Clamp(L2BlockFloats / kcMax / nr * nr, nr, TK.NC) : TK.NC;
        int ncMax = Math.Min(ncStep, RoundUp(j1 - j0, nr));
        long aSlice = (long)mcMax * kcMax;
        GemmWorkspace ws = GemmWorkspace.Current;
        // A constant across calls is packed whole (every slice, every row) once, into the thread's cache.
        long rowsPacked = RoundUp(i1 - i0, mr);
        bool cached = g.ConstantA;
        bool packedAlready = false;
        float* ap = cached
            ? GemmACache.Get(g.A, g.Lda, g.TransA, i0, i1, g.K, typeof(GemmDriver<TK>).TypeHandle.Value, rowsPacked * kcMax * slices, out packedAlready)
            : ws.A(aResident ? aSlice * slices : aSlice);
        if (cached && !packedAlready)
            for (int pc = 0, slice = 0; pc < g.K; pc += kcMax, slice++)
                GemmPacking.PackA<TK>(g.A, g.Lda, g.TransA, i0, i1 - i0, pc, Math.Min(kcMax, g.K - pc), ap + slice * rowsPacked * kcMax);
        float* bp = ws.B((long)ncMax * kcMax);
        float* tile = stackalloc float[mr * nr];
        float* scales = stackalloc float[2]; // alpha, beta of this slice

        for (int jc = j0; jc < j1; jc += ncStep)
        {
            int nc = Math.Min(ncStep, j1 - jc);
            for (int pc = 0, slice = 0; pc < g.K; pc += kcMax, slice++)
            {
                int kc = Math.Min(kcMax, g.K - pc);
                bool first = pc == 0;
                bool overwrite = first && g.Beta == 0;
                scales[0] = g.Alpha;
                scales[1] = first ? g.Beta : 1f;
                GemmPacking.PackB<TK>(g.B, g.Ldb, g.TransB, pc, kc, jc, nc, bp);
                if (cached)
                {
                    // Panels of rows [ic, ic + mc) start (ic - i0) * kc into the slice (whole MR panels).
                    float* aps = ap + slice * rowsPacked * kcMax;
                    for (int ic = i0; ic < i1; ic += TK.MC)
                        Macro(g.C + ic * g.Ldc + jc, g.Ldc, Math.Min(TK.MC, i1 - ic), nc, kc, aps + (nint)(ic - i0) * kc, bp, scales, overwrite, tile);
                    continue;
                }
                if (aResident)
                {
                    float* aps = ap + slice * aSlice;
                    if (jc == j0) GemmPacking.PackA<TK>(g.A, g.Lda, g.TransA, i0, i1 - i0, pc, kc, aps);
                    Macro(g.C + i0 * g.Ldc + jc, g.Ldc, i1 - i0, nc, kc, aps, bp, scales, overwrite, tile);
                    continue;
                }
                for (int ic = i0; ic < i1; ic += TK.MC)
                {
                    int mc = Math.Min(TK.MC, i1 - ic);
                    GemmPacking.PackA<TK>(g.A, g.Lda, g.TransA, ic, mc, pc, kc, ap);
                    Macro(g.C + ic * g.Ldc + jc, g.Ldc, mc, nc, kc, ap, bp, scales, overwrite, tile);
                }
            }
        }
    }

    /// <summary>All MR x NR tiles of one packed A block times one packed B block.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Macro(float* c, nint ldc, int mc, int nc, int kc, float* ap, float* bp,
        float* scales, bool overwrite, float* tile)
    {
        int mr = TK.MR, nr = TK.NR;
        for (int jr = 0; jr < nc; jr += nr)
        {
            int cols = Math.Min(nr, nc - jr);
            float* bpanel = bp + (nint)jr * kc;
            for (int ir = 0; ir < mc; ir += mr)
            {
                int rows = Math.Min(mr, mc - ir);
                float* apanel = ap + (nint)ir * kc;
                float* ct = c + ir * ldc + jr;
                if (rows == mr && cols == nr)
                {
                    TK.Run(kc, apanel, bpanel, ct, ldc, scales, overwrite);
                }
                else
                {
                    // Ragged edge: raw sums into scratch, then the same update as the kernel's,
                    // element by element, for the part inside C.
                    TK.RunEdge(rows, cols, kc, apanel, bpanel, tile);
                    float alpha = scales[0], beta = scales[1];
                    for (int i = 0; i < rows; i++)
                    {
                        float* t = tile + i * nr;
                        float* crow = ct + i * ldc;
                        if (overwrite)
                            for (int j = 0; j < cols; j++) crow[j] = t[j] * alpha;
                        else
                            for (int j = 0; j < cols; j++) crow[j] = MathF.FusedMultiplyAdd(t[j], alpha, beta * crow[j]);
                    }
                }
            }
        }
    }

    private static int RoundUp(int x, int multiple) => (x + multiple - 1) / multiple * multiple;
}
