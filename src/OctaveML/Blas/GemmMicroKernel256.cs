using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace OctaveML.Blas;

/// <summary>
/// AVX2 + FMA micro-kernel, 6 x 16: twelve ymm accumulators, two B vectors and one broadcast
/// of A fill 15 of the 16 ymm registers (the layout BLIS uses on Haswell and Zen).
/// </summary>
internal readonly unsafe struct GemmMicroKernel256 : IGemmMicroKernel
{
    public static int MR => 6;
    public static int NR => 16;
    public static int KC => 256;
    public static int MC => 144;
    public static int NC => 4080;

    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    public static void Run(int kc, float* a, float* b, float* c, nint ldc, float* alphaBeta, bool overwrite)
    {
        // Fetch the C tile now so its misses overlap the k loop instead of stalling the stores.
        for (int i = 0; i < 6; i++)
        {
            Sse.Prefetch0(c + i * ldc);
            Sse.Prefetch0(c + i * ldc + 15);
        }
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector256<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        for (int p = 0; p < kc; p++)
        {
            Vector256<float> b0 = Vector256.LoadAligned(b);
            Vector256<float> b1 = Vector256.LoadAligned(b + 8);
            Vector256<float> av = Vector256.Create(a[0]);
            c00 = Vector256.FusedMultiplyAdd(av, b0, c00);
            c01 = Vector256.FusedMultiplyAdd(av, b1, c01);
            av = Vector256.Create(a[1]);
            c10 = Vector256.FusedMultiplyAdd(av, b0, c10);
            c11 = Vector256.FusedMultiplyAdd(av, b1, c11);
            av = Vector256.Create(a[2]);
            c20 = Vector256.FusedMultiplyAdd(av, b0, c20);
            c21 = Vector256.FusedMultiplyAdd(av, b1, c21);
            av = Vector256.Create(a[3]);
            c30 = Vector256.FusedMultiplyAdd(av, b0, c30);
            c31 = Vector256.FusedMultiplyAdd(av, b1, c31);
            av = Vector256.Create(a[4]);
            c40 = Vector256.FusedMultiplyAdd(av, b0, c40);
            c41 = Vector256.FusedMultiplyAdd(av, b1, c41);
            av = Vector256.Create(a[5]);
            c50 = Vector256.FusedMultiplyAdd(av, b0, c50);
            c51 = Vector256.FusedMultiplyAdd(av, b1, c51);
            a += 6;
            b += 16;
        }
        var va = Vector256.Create(alphaBeta[0]);
        var vb = Vector256.Create(alphaBeta[1]);
        Store(c, c00, c01, va, vb, overwrite); c += ldc;
        Store(c, c10, c11, va, vb, overwrite); c += ldc;
        Store(c, c20, c21, va, vb, overwrite); c += ldc;
        Store(c, c30, c31, va, vb, overwrite); c += ldc;
        Store(c, c40, c41, va, vb, overwrite); c += ldc;
        Store(c, c50, c51, va, vb, overwrite);
    }

    /// <summary>
    /// Ragged tiles: up to 8 real columns (14x14 and 7x7 maps leave 4 and 1) take one 8-wide
    /// pass; otherwise ragged rows (m = 32 leaves 2, 64 leaves 4) take 4-, 2- and 1-row passes
    /// instead of a full 6-row tile.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void RunEdge(int rows, int cols, int kc, float* a, float* b, float* tile)
    {
        if (cols <= 8)
        {
            Cols8(kc, a, b, tile);
            return;
        }
        if (rows == 6)
        {
            float* one = stackalloc float[2] { 1f, 0f };
            Run(kc, a, b, tile, 16, one, true);
            return;
        }
        int r = 0;
        if (rows - r >= 4) { Rows4(kc, a + r, b, tile + r * 16); r += 4; }
        if (rows - r >= 2) { Rows2(kc, a + r, b, tile + r * 16); r += 2; }
        if (rows - r >= 1) Rows1(kc, a + r, b, tile + r * 16);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Cols8(int kc, float* a, float* b, float* t)
    {
        Vector256<float> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default;
        for (int p = 0; p < kc; p++)
        {
            Vector256<float> b0 = Vector256.LoadAligned(b);
            c0 = Vector256.FusedMultiplyAdd(Vector256.Create(a[0]), b0, c0);
            c1 = Vector256.FusedMultiplyAdd(Vector256.Create(a[1]), b0, c1);
            c2 = Vector256.FusedMultiplyAdd(Vector256.Create(a[2]), b0, c2);
            c3 = Vector256.FusedMultiplyAdd(Vector256.Create(a[3]), b0, c3);
            c4 = Vector256.FusedMultiplyAdd(Vector256.Create(a[4]), b0, c4);
            c5 = Vector256.FusedMultiplyAdd(Vector256.Create(a[5]), b0, c5);
            a += 6;
            b += 16;
        }
        c0.Store(t); c1.Store(t + 16); c2.Store(t + 32);
        c3.Store(t + 48); c4.Store(t + 64); c5.Store(t + 80);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Rows4(int kc, float* a, float* b, float* t)
    {
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default;
        Vector256<float> c20 = default, c21 = default, c30 = default, c31 = default;
        for (int p = 0; p < kc; p++)
        {
            Vector256<float> b0 = Vector256.LoadAligned(b);
            Vector256<float> b1 = Vector256.LoadAligned(b + 8);
            Vector256<float> av = Vector256.Create(a[0]);
            c00 = Vector256.FusedMultiplyAdd(av, b0, c00);
            c01 = Vector256.FusedMultiplyAdd(av, b1, c01);
            av = Vector256.Create(a[1]);
            c10 = Vector256.FusedMultiplyAdd(av, b0, c10);
            c11 = Vector256.FusedMultiplyAdd(av, b1, c11);
            av = Vector256.Create(a[2]);
            c20 = Vector256.FusedMultiplyAdd(av, b0, c20);
            c21 = Vector256.FusedMultiplyAdd(av, b1, c21);
            av = Vector256.Create(a[3]);
            c30 = Vector256.FusedMultiplyAdd(av, b0, c30);
            c31 = Vector256.FusedMultiplyAdd(av, b1, c31);
            a += 6;
            b += 16;
        }
        c00.Store(t); c01.Store(t + 8);
        c10.Store(t + 16); c11.Store(t + 24);
        c20.Store(t + 32); c21.Store(t + 40);
        c30.Store(t + 48); c31.Store(t + 56);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Rows2(int kc, float* a, float* b, float* t)
    {
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default;
        for (int p = 0; p < kc; p++)
        {
            Vector256<float> b0 = Vector256.LoadAligned(b);
            Vector256<float> b1 = Vector256.LoadAligned(b + 8);
            Vector256<float> av = Vector256.Create(a[0]);
            c00 = Vector256.FusedMultiplyAdd(av, b0, c00);
            c01 = Vector256.FusedMultiplyAdd(av, b1, c01);
            av = Vector256.Create(a[1]);
            c10 = Vector256.FusedMultiplyAdd(av, b0, c10);
            c11 = Vector256.FusedMultiplyAdd(av, b1, c11);
            a += 6;
            b += 16;
        }
        c00.Store(t); c01.Store(t + 8);
        c10.Store(t + 16); c11.Store(t + 24);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Rows1(int kc, float* a, float* b, float* t)
    {
        Vector256<float> c00 = default, c01 = default;
        for (int p = 0; p < kc; p++)
        {
            Vector256<float> av = Vector256.Create(a[0]);
            c00 = Vector256.FusedMultiplyAdd(av, Vector256.LoadAligned(b), c00);
            c01 = Vector256.FusedMultiplyAdd(av, Vector256.LoadAligned(b + 8), c01);
            a += 6;
            b += 16;
        }
        c00.Store(t); c01.Store(t + 8);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(float* c, Vector256<float> x0, Vector256<float> x1, Vector256<float> alpha, Vector256<float> beta, bool overwrite)
    {
        if (overwrite)
        {
            Vector256.Store(x0 * alpha, c);
            Vector256.Store(x1 * alpha, c + 8);
        }
        else
        {
            Vector256.Store(Vector256.FusedMultiplyAdd(x0, alpha, beta * Vector256.Load(c)), c);
            Vector256.Store(Vector256.FusedMultiplyAdd(x1, alpha, beta * Vector256.Load(c + 8)), c + 8);
        }
    }
}
