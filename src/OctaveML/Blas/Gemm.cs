using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using OctaveML.Threading;

namespace OctaveML.Blas;

/// <summary>The micro-kernel family a GEMM runs on (tests force each one; callers use Auto).</summary>
internal enum GemmKernel
{
    /// <summary>The widest family the CPU accelerates.</summary>
    Auto,
    /// <summary>Vector512 8 x 32 (AVX-512F).</summary>
    Avx512,
    /// <summary>Vector256 6 x 16 (AVX2 + FMA).</summary>
    Avx2,
    /// <summary>Vector256 4 x 24 (AVX2 + FMA): Auto takes it instead of 6 x 16 for small m where it pads less (see Gemm.PreferAvx2x4).</summary>
    Avx2x4,
    /// <summary>Vector128 4 x 8 (any CPU).</summary>
    Portable,
    /// <summary>AVX-512 8 x 32 reading B rows in place, only A packed (no transB): Auto's pick for few rows of C.</summary>
    Avx512Rows,
    /// <summary>AVX2 4 x 24 reading B rows in place, only A packed (no transB): Auto's pick for few rows of C.</summary>
    Avx2Rows,
    /// <summary>AVX-512 dot products of rows of A and B, nothing packed (transB, no transA): Auto's pick for weight gradients.</summary>
    Avx512Dot,
    /// <summary>AVX2 dot products of rows of A and B, nothing packed (transB, no transA): Auto's pick for weight gradients.</summary>
    Avx2Dot,
}

/// <summary>
/// Single-precision matrix product on row-major matrices:
/// C = alpha * op(A) * op(B) + beta * C, with op(X) = X or X transposed.
/// </summary>
/// <remarks>
/// Packed and cache-blocked in the GotoBLAS/BLIS way (see <see cref="GemmDriver{TK}"/>), with a
/// register-blocked FMA micro-kernel per instruction set (two tile shapes on AVX2, picked per
/// call). Large products are split over threads by whole micro-tiles of C; each element's
/// summation order depends only on k, so the result is bit-identical for any thread count.
/// </remarks>
public static class Gemm
{
    /// <summary>Below this many multiply-adds a product runs on one thread (scheduling would cost more).</summary>
    internal const long ParallelMinMacs = 1L << 20;

    /// <summary>The family <see cref="GemmKernel.Auto"/> resolves to on this CPU.</summary>
    internal static GemmKernel BestKernel { get; } =
        Avx512F.IsSupported && Vector512.IsHardwareAccelerated ? GemmKernel.Avx512
        : Avx2.IsSupported && Fma.IsSupported ? GemmKernel.Avx2
        : GemmKernel.Portable;

    /// <summary>
    /// C[m x n] = alpha * op(A)[m x k] * op(B)[k x n] + beta * C. Row-major; <paramref name="lda"/>,
    /// <paramref name="ldb"/>, <paramref name="ldc"/> are row strides. With beta = 0, C is not read
    /// (NaNs in it do not propagate). <paramref name="maxThreads"/>: 0 = <see cref="Parallelism.Threads"/>,
    /// 1 = single-threaded (for callers that are already parallel).
    /// </summary>
    public static void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb,
        float beta, Span<float> c, int ldc, int maxThreads = 0) =>
        SgemmOn(GemmKernel.Auto, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, maxThreads);

    /// <summary>
    /// <see cref="Sgemm(bool, bool, int, int, int, float, ReadOnlySpan{float}, int, ReadOnlySpan{float}, int, float, Span{float}, int, int)"/>
    /// for an A that stays constant over many single-threaded calls on this thread (weights times one image
    /// after another): its packed form is kept in <see cref="GemmACache"/> and reused. The caller must call
    /// <see cref="GemmACache.Forget"/> on this thread before A's memory changes.
    /// </summary>
    internal static void SgemmConstantA(bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb,
        float beta, Span<float> c, int ldc) =>
        SgemmOn(GemmKernel.Auto, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, 1, constantA: true);

    /// <summary><see cref="Sgemm(bool, bool, int, int, int, float, ReadOnlySpan{float}, int, ReadOnlySpan{float}, int, float, Span{float}, int, int)"/> on a chosen kernel family.</summary>
    internal static unsafe void SgemmOn(GemmKernel kernel, bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb,
        float beta, Span<float> c, int ldc, int maxThreads = 0, bool constantA = false)
    {
        if (m < 0) throw new ArgumentOutOfRangeException(nameof(m), m, "m must be non-negative.");
        if (n < 0) throw new ArgumentOutOfRangeException(nameof(n), n, "n must be non-negative.");
        if (k < 0) throw new ArgumentOutOfRangeException(nameof(k), k, "k must be non-negative.");
        if (maxThreads < 0) throw new ArgumentOutOfRangeException(nameof(maxThreads), maxThreads, "maxThreads must be 0 (all) or positive.");
        CheckMatrix(nameof(c), nameof(ldc), c.Length, ldc, m, n);
        if (m == 0 || n == 0) return;
        bool useAB = k > 0 && alpha != 0;
        if (useAB)
        {
            CheckMatrix(nameof(a), nameof(lda), a.Length, lda, transA ? k : m, transA ? m : k);
            CheckMatrix(nameof(b), nameof(ldb), b.Length, ldb, transB ? n : k, transB ? k : n);
        }

        if (!useAB)
        {
            ScaleC(c, ldc, m, n, beta);
            return;
        }

        if (kernel == GemmKernel.Auto)
            kernel = SmallPathsAllowed ? SmallPath(BestKernel, transA, transB, m, n, k) : GemmKernel.Auto;
        if (kernel == GemmKernel.Auto)
            kernel = BestKernel == GemmKernel.Avx2 && Avx2x4Allowed && PreferAvx2x4(m, n) ? GemmKernel.Avx2x4 : BestKernel;
        int threads = maxThreads > 0 ? maxThreads : Parallelism.Threads;
        if ((long)m * n * k < ParallelMinMacs) threads = 1;

        fixed (float* pa = a, pb = b, pc = c)
        {
            var g = new GemmProblem
            {
                A = pa, B = pb, C = pc, Lda = lda, Ldb = ldb, Ldc = ldc,
                TransA = transA, TransB = transB, M = m, N = n, K = k, Alpha = alpha, Beta = beta,
                // Only on the calling thread: the cache is per thread and forgotten by the caller's thread.
                ConstantA = constantA && threads == 1 && GemmACache.Keeps(m, k),
            };
            switch (kernel)
            {
                case GemmKernel.Avx512: Run<GemmMicroKernel512>(g, threads); break;
                case GemmKernel.Avx2: Run<GemmMicroKernel256>(g, threads); break;
                case GemmKernel.Avx2x4: Run<GemmMicroKernel256x4>(g, threads); break;
                case GemmKernel.Avx512Rows: RequireShape(!transB, kernel); GemmRowDriver<GemmMicroKernel512>.Run(g, threads); break;
                case GemmKernel.Avx2Rows: RequireShape(!transB, kernel); GemmRowDriver<GemmMicroKernel256x4>.Run(g, threads); break;
                case GemmKernel.Avx512Dot: RequireShape(!transA && transB, kernel); GemmDotDriver<GemmDotKernel512>.Run(g, threads); break;
                case GemmKernel.Avx2Dot: RequireShape(!transA && transB, kernel); GemmDotDriver<GemmDotKernel256>.Run(g, threads); break;
                default: Run<GemmMicroKernel128>(g, threads); break;
            }
        }
    }

    /// <summary>
    /// The unpacked path Auto takes for an m x n x k product on the <paramref name="best"/> family,
    /// or Auto to run the packed kernels. Chosen from the shape alone (never the thread count).
    /// </summary>
    internal static GemmKernel SmallPath(GemmKernel best, bool transA, bool transB, int m, int n, int k)
    {
        bool avx512 = best == GemmKernel.Avx512, avx2 = best == GemmKernel.Avx2;
        if (!avx512 && !avx2) return GemmKernel.Auto;
        // Measured (bench gemm-small, m 8..32, n 16..784, k 16..784): reading B in place wins from
        // two 32-wide strips on AVX-512; on AVX2 from 128 columns, or from 32 for one 8-row panel
        // (below that, the padded edge strip costs more than the 6 x 16 kernel's exact fit).
        if (!transB && m <= RowsMaxM && n >= (avx512 || m <= 8 ? 32 : 128))
            return avx512 ? GemmKernel.Avx512Rows : GemmKernel.Avx2Rows;
        // Shallow products (input gradient W^T * dY, k = output channels): a B strip of k rows
        // stays in L1 across all row panels, so packing it buys nothing. Measured faster on
        // AVX-512 only (m 72..288, k 8..32); slower on AVX2.
        if (!transB && avx512 && m <= ShallowMaxM && k <= ShallowMaxK)
            return GemmKernel.Avx512Rows;
        // Dot products win for long k and few outputs; the packed kernels catch up as m * n grows
        // (sooner on AVX-512, whose packed kernel is faster) and win at short k (reductions, tail).
        long outputs = (long)m * n, limit = (avx512 ? 1152 : 2304) * (k >= 512 ? 2 : 1);
        if (transB && !transA && m <= RowsMaxM && k >= DotMinK && outputs <= limit)
            return avx512 ? GemmKernel.Avx512Dot : GemmKernel.Avx2Dot;
        return GemmKernel.Auto;
    }

    /// <summary>Rows of C up to which the unpacked paths are considered (measured on 8..32).</summary>
    private const int RowsMaxM = 32;

    /// <summary>Largest rows and depth of the shallow products read in place (m measured up to 288).</summary>
    private const int ShallowMaxM = 576, ShallowMaxK = 32;

    /// <summary>Least depth for the dot-product path.</summary>
    private const int DotMinK = 160;

    /// <summary>
    /// Lets Auto take the unpacked small-m paths (default). Only for same-process A/B benchmarks
    /// against the packed kernels; the two give slightly different bits.
    /// </summary>
    internal static bool SmallPathsAllowed { get; set; } = true;

    private static void RequireShape(bool ok, GemmKernel kernel)
    {
        if (!ok) throw new ArgumentException($"The {kernel} GEMM path does not take this combination of transposes.");
    }

    /// <summary>
    /// Whether the 4 x 24 AVX2 kernel beats the 6 x 16 one for an m x n product. Both give the
    /// same bits (same KC and FMA order), so this only picks the faster one, from m and n alone
    /// (never the thread count, so results stay the same for any thread count).
    /// </summary>
    internal static bool PreferAvx2x4(int m, int n) =>
        m <= SmallRowsMax && Cost(m, n, 4, 24, FullTile4x24) < Cost(m, n, 6, 16, FullTile6x16);

    /// <summary>
    /// Lets Auto pick the 4 x 24 kernel (default). Only for same-process A/B benchmarks: as both
    /// AVX2 kernels give the same bits, switching it changes speed, never results.
    /// </summary>
    internal static bool Avx2x4Allowed { get; set; } = true;

    /// <summary>Rows up to which the 4 x 24 kernel is considered (measured on 8..32; larger m pads little anyway).</summary>
    private const int SmallRowsMax = 64;

    // Cycles per k step, in quarter cycles, of the passes GemmDriver runs: a full tile is 12 FMAs
    // (6 cycles on two FMA pipes; the 4 x 24 one measured a few percent slower); a short-row pass
    // (RunEdge's 4/2/1-row passes) has at most 8 accumulators and is bound by the 4-cycle FMA
    // latency. A narrow column edge costs as much as a full tile (at n = 16, where every 4 x 24 tile is an
    // edge tile through scratch and an element-wise update, that kernel runs at half speed).
    private const int FullTile6x16 = 24, FullTile4x24 = 25, EdgePass = 16;

    /// <summary>Modelled k-loop cost of an m x n product on an MR x NR AVX2 kernel and its RunEdge.</summary>
    private static long Cost(int m, int n, int mr, int nr, int fullTile)
    {
        int fullPanels = n / nr, restCols = n % nr;
        long Panel(int rows)
        {
            if (rows == mr) return (long)(fullPanels + (restCols == 0 ? 0 : 1)) * fullTile;
            // Short row panel: RunEdge's row passes (4/2/1 rows for 6 x 16, 2/1 for 4 x 24),
            // or one narrow-column pass over all MR rows.
            int passes = BitCount(rows);
            return (long)fullPanels * passes * EdgePass + (restCols == 0 ? 0 : restCols <= nr - 8 ? EdgePass : passes * EdgePass);
        }
        return m / mr * Panel(mr) + (m % mr == 0 ? 0 : Panel(m % mr));
    }

    private static int BitCount(int x) => System.Numerics.BitOperations.PopCount((uint)x);

    /// <summary>
    /// Splits C into one rectangle per thread along its longer side, in whole micro-tiles (so a
    /// tile is never ragged because of the split), and runs the blocked loop nest on each.
    /// </summary>
    private static void Run<TK>(GemmProblem g, int threads) where TK : struct, IGemmMicroKernel
    {
        if (threads <= 1)
        {
            GemmDriver<TK>.Run(g, 0, g.M, 0, g.N);
            return;
        }
        int tilesM = (g.M + TK.MR - 1) / TK.MR;
        int tilesN = (g.N + TK.NR - 1) / TK.NR;
        bool splitN = g.N >= g.M ? tilesN >= 2 || tilesM < 2 : tilesM < 2;
        if (splitN)
        {
            Parallelism.ForChunks(tilesN, threads, (_, t0, t1) =>
                GemmDriver<TK>.Run(g, 0, g.M, t0 * TK.NR, Math.Min(g.N, t1 * TK.NR)), threads);
        }
        else
        {
            Parallelism.ForChunks(tilesM, threads, (_, t0, t1) =>
                GemmDriver<TK>.Run(g, t0 * TK.MR, Math.Min(g.M, t1 * TK.MR), 0, g.N), threads);
        }
    }

    /// <summary>C = beta * C (beta = 0 clears without reading), for k = 0 or alpha = 0.</summary>
    private static void ScaleC(Span<float> c, int ldc, int m, int n, float beta)
    {
        if (beta == 1) return;
        for (int i = 0; i < m; i++)
        {
            Span<float> row = c.Slice(i * ldc, n);
            if (beta == 0) row.Clear();
            else System.Numerics.Tensors.TensorPrimitives.Multiply(row, beta, row);
        }
    }

    private static void CheckMatrix(string name, string ldName, int length, int ld, int rows, int cols)
    {
        if (ld < Math.Max(1, cols))
            throw new ArgumentOutOfRangeException(ldName, ld, $"{ldName} must be at least {Math.Max(1, cols)} (the row length of {name}).");
        if (rows > 0 && cols > 0 && length < (long)(rows - 1) * ld + cols)
            throw new ArgumentException($"{name} has {length} elements but a {rows} x {cols} matrix with row stride {ld} needs {(long)(rows - 1) * ld + cols}.", name);
    }
}
