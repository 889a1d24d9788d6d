using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace OctaveML.Blas;

/// <summary>
/// AVX-512 micro-kernel, 8 x 32: sixteen zmm accumulators (enough to cover FMA latency on two
/// 512-bit pipes), two B vectors and a broadcast of A; eight-row tiles divide the usual channel
/// counts (64, 128, 256...) exactly. It reads B packed (<see cref="IGemmMicroKernel"/>) or in
/// place (<see cref="IGemmRowKernel"/>).
/// </summary>
internal readonly unsafe struct GemmMicroKernel512 : IGemmMicroKernel, IGemmRowKernel
{
    public static int MR => 8;
    public static int NR => 32;
    public static int KC => 192; // 192 x 32 floats of B, packed or in place, are 24 KiB (+ 6 KiB of A): inside a 32 or 48 KiB L1
    public static int MC => 128;
    public static int NC => 4096;

    /// <summary>The packed layout of A, shared by both ways of reading B.</summary>
    public static void PackA(float* a, nint lda, bool trans, int m, int k, float* dst) =>
        GemmPacking.PackA<GemmMicroKernel512>(a, lda, trans, 0, m, 0, k, dst);

    /// <summary>A packed B micro-panel (see <see cref="IGemmMicroKernel.Run"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    public static void Run(int kc, float* a, float* b, float* c, nint ldc, float* alphaBeta, bool overwrite)
    {
        // Also each C row's middle line: 32 floats span three cache lines when C is not 64-byte aligned.
        for (int i = 0; i < 8; i++) Sse.Prefetch0(c + i * ldc + 16);
        Tile<PackedB>(kc, a, b, 32, c, ldc, alphaBeta, overwrite);
    }

    /// <summary>B rows in place at stride <paramref name="ldb"/> (see <see cref="IGemmRowKernel.Run"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    public static void Run(int kc, float* a, float* b, nint ldb, float* c, nint ldc, float* alphaBeta, bool overwrite) =>
        Tile<InPlaceB>(kc, a, b, ldb, c, ldc, alphaBeta, overwrite);

    /// <summary>The full 8 x 32 tile: B rows of 32 floats at stride <paramref name="ldb"/>, loaded as <typeparamref name="TB"/> says.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Tile<TB>(int kc, float* a, float* b, nint ldb, float* c, nint ldc, float* alphaBeta, bool overwrite)
        where TB : struct, IGemmBLayout
    {
        // Fetch the C tile now so its misses overlap the k loop instead of stalling the stores.
        for (int i = 0; i < 8; i++)
        {
            Sse.Prefetch0(c + i * ldc);
            Sse.Prefetch0(c + i * ldc + 31);
        }
        Vector512<float> c00 = default, c01 = default;
        Vector512<float> c10 = default, c11 = default;
        Vector512<float> c20 = default, c21 = default;
        Vector512<float> c30 = default, c31 = default;
        Vector512<float> c40 = default, c41 = default;
        Vector512<float> c50 = default, c51 = default;
        Vector512<float> c60 = default, c61 = default;
        Vector512<float> c70 = default, c71 = default;
        for (int p = 0; p < kc; p++)
        {
            Vector512<float> b0 = TB.Load512(b);
            Vector512<float> b1 = TB.Load512(b + 16);
            Vector512<float> av;
            av = Vector512.Create(a[0]);
            c00 = Vector512.FusedMultiplyAdd(av, b0, c00);
            c01 = Vector512.FusedMultiplyAdd(av, b1, c01);
            av = Vector512.Create(a[1]);
            c10 = Vector512.FusedMultiplyAdd(av, b0, c10);
            c11 = Vector512.FusedMultiplyAdd(av, b1, c11);
            av = Vector512.Create(a[2]);
            c20 = Vector512.FusedMultiplyAdd(av, b0, c20);
            c21 = Vector512.FusedMultiplyAdd(av, b1, c21);
            av = Vector512.Create(a[3]);
            c30 = Vector512.FusedMultiplyAdd(av, b0, c30);
            c31 = Vector512.FusedMultiplyAdd(av, b1, c31);
            av = Vector512.Create(a[4]);
            c40 = Vector512.FusedMultiplyAdd(av, b0, c40);
            c41 = Vector512.FusedMultiplyAdd(av, b1, c41);
            av = Vector512.Create(a[5]);
            c50 = Vector512.FusedMultiplyAdd(av, b0, c50);
            c51 = Vector512.FusedMultiplyAdd(av, b1, c51);
            av = Vector512.Create(a[6]);
            c60 = Vector512.FusedMultiplyAdd(av, b0, c60);
            c61 = Vector512.FusedMultiplyAdd(av, b1, c61);
            av = Vector512.Create(a[7]);
            c70 = Vector512.FusedMultiplyAdd(av, b0, c70);
            c71 = Vector512.FusedMultiplyAdd(av, b1, c71);
            a += 8;
            b += ldb;
        }
        var va = Vector512.Create(alphaBeta[0]);
        var vb = Vector512.Create(alphaBeta[1]);
        Store(c, c00, c01, va, vb, overwrite); c += ldc;
        Store(c, c10, c11, va, vb, overwrite); c += ldc;
        Store(c, c20, c21, va, vb, overwrite); c += ldc;
        Store(c, c30, c31, va, vb, overwrite); c += ldc;
        Store(c, c40, c41, va, vb, overwrite); c += ldc;
        Store(c, c50, c51, va, vb, overwrite); c += ldc;
        Store(c, c60, c61, va, vb, overwrite); c += ldc;
        Store(c, c70, c71, va, vb, overwrite);
    }

    /// <summary>
    /// Lets ragged column edges take the narrow passes (default). Only for same-process A/B benchmarks: both
    /// ways give the same bits, so switching it changes speed, never results.
    /// </summary>
    internal static bool NarrowEdgesAllowed { get; set; } = true;

    /// <summary>Extra columns past 16 that <see cref="Cols16Plus"/> takes (each costs one 8-wide FMA per k step).</summary>
    private const int MaxExtraColumns = 4;

    public static void RunEdge(int rows, int cols, int kc, float* a, float* b, float* tile)
    {
        // Channel counts are multiples of 8, so ragged tiles are column edges: the last strip of a map's
        // pixels (49 = 32 + 17 at 7x7, 196 = 6 x 32 + 4 at 14x14). A full tile costs 16 FMAs per k step
        // whatever the width; 16 columns need 8, and each column past them one 8-row FMA.
        if (cols <= 16 + MaxExtraColumns && NarrowEdgesAllowed)
        {
            Cols16Plus(kc, a, b, tile, Math.Max(0, cols - 16));
            return;
        }
        float* one = stackalloc float[2] { 1f, 0f };
        Run(kc, a, b, tile, NR, one, true);
    }

    /// <summary>
    /// The first 16 columns of a tile (eight zmm accumulators: enough to cover the FMA latency on two pipes)
    /// and up to <see cref="MaxExtraColumns"/> more, one 8-row ymm accumulator each (a column of the A panel
    /// times one B element). Each element gets the same FMAs in the same order as in <see cref="IGemmMicroKernel.Run"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Cols16Plus(int kc, float* a, float* b, float* t, int extra)
    {
        Vector512<float> c0 = default, c1 = default, c2 = default, c3 = default;
        Vector512<float> c4 = default, c5 = default, c6 = default, c7 = default;
        Vector256<float> e0 = default, e1 = default, e2 = default, e3 = default;
        for (int p = 0; p < kc; p++)
        {
            Vector512<float> b0 = Vector512.LoadAligned(b);
            c0 = Vector512.FusedMultiplyAdd(Vector512.Create(a[0]), b0, c0);
            c1 = Vector512.FusedMultiplyAdd(Vector512.Create(a[1]), b0, c1);
            c2 = Vector512.FusedMultiplyAdd(Vector512.Create(a[2]), b0, c2);
            c3 = Vector512.FusedMultiplyAdd(Vector512.Create(a[3]), b0, c3);
            c4 = Vector512.FusedMultiplyAdd(Vector512.Create(a[4]), b0, c4);
            c5 = Vector512.FusedMultiplyAdd(Vector512.Create(a[5]), b0, c5);
            c6 = Vector512.FusedMultiplyAdd(Vector512.Create(a[6]), b0, c6);
            c7 = Vector512.FusedMultiplyAdd(Vector512.Create(a[7]), b0, c7);
            if (extra > 0)
            {
                Vector256<float> av = Vector256.Load(a);
                e0 = Vector256.FusedMultiplyAdd(av, Vector256.Create(b[16]), e0);
                if (extra > 1) e1 = Vector256.FusedMultiplyAdd(av, Vector256.Create(b[17]), e1);
                if (extra > 2) e2 = Vector256.FusedMultiplyAdd(av, Vector256.Create(b[18]), e2);
                if (extra > 3) e3 = Vector256.FusedMultiplyAdd(av, Vector256.Create(b[19]), e3);
            }
            a += 8;
            b += 32;
        }
        c0.Store(t); c1.Store(t + 32); c2.Store(t + 64); c3.Store(t + 96);
        c4.Store(t + 128); c5.Store(t + 160); c6.Store(t + 192); c7.Store(t + 224);
        if (extra == 0) return;
        // Column j of the tile is row j of the transposed accumulators: write them element by element.
        for (int i = 0; i < 8; i++)
        {
            t[i * 32 + 16] = e0.GetElement(i);
            if (extra > 1) t[i * 32 + 17] = e1.GetElement(i);
            if (extra > 2) t[i * 32 + 18] = e2.GetElement(i);
            if (extra > 3) t[i * 32 + 19] = e3.GetElement(i);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(float* c, Vector512<float> x0, Vector512<float> x1, Vector512<float> alpha, Vector512<float> beta, bool overwrite)
    {
        if (overwrite)
        {
            Vector512.Store(x0 * alpha, c);
            Vector512.Store(x1 * alpha, c + 16);
        }
        else
        {
            Vector512.Store(Vector512.FusedMultiplyAdd(x0, alpha, beta * Vector512.Load(c)), c);
            Vector512.Store(Vector512.FusedMultiplyAdd(x1, alpha, beta * Vector512.Load(c + 16)), c + 16);
        }
    }
}
