using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace OctaveML.Blas;

/// <summary>
/// AVX2 + FMA micro-kernel, 4 x 24: twelve ymm accumulators, three B vectors and one broadcast
/// of A, like <see cref="GemmMicroKernel256"/> but shorter and wider. For convolutions with 8, 16
/// or 32 output channels per GEMM, where 6-row tiles pad or leave a ragged edge tile. It reads B
/// packed (<see cref="IGemmMicroKernel"/>) or in place (<see cref="IGemmRowKernel"/>); four-row
/// tiles divide the 8/16/32-channel convolutions the in-place path serves.
/// </summary>
/// <remarks>
/// Same KC as the 6 x 16 kernel and the same per-element FMA chain, so both give bit-identical C.
/// </remarks>
internal readonly unsafe struct GemmMicroKernel256x4 : IGemmMicroKernel, IGemmRowKernel
{
    public static int MR => 4;
    public static int NR => 24;
    public static int KC => 256; // 256 x 24 floats of B, packed or in place, are 24 KiB: inside a 32 KiB L1
    public static int MC => 144;
    public static int NC => 4080;

    /// <summary>The packed layout of A, shared by both ways of reading B.</summary>
    public static void PackA(float* a, nint lda, bool trans, int m, int k, float* dst) =>
        GemmPacking.PackA<GemmMicroKernel256x4>(a, lda, trans, 0, m, 0, k, dst);

    /// <summary>A packed B micro-panel (see <see cref="IGemmMicroKernel.Run"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    public static void Run(int kc, float* a, float* b, float* c, nint ldc, float* alphaBeta, bool overwrite) =>
        Tile<PackedB>(kc, a, b, 24, c, ldc, alphaBeta, overwrite);

    /// <summary>
    /// B rows in place at stride <paramref name="ldb"/> (see <see cref="IGemmRowKernel.Run"/>). Not inlined:
    /// inside the row driver's loop nest two of the twelve accumulators spill (half speed); on its own the
    /// kernel has all sixteen ymm registers.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    public static void Run(int kc, float* a, float* b, nint ldb, float* c, nint ldc, float* alphaBeta, bool overwrite) =>
        Tile<InPlaceB>(kc, a, b, ldb, c, ldc, alphaBeta, overwrite);

    /// <summary>The full 4 x 24 tile: B rows of 24 floats at stride <paramref name="ldb"/>, loaded as <typeparamref name="TB"/> says.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Tile<TB>(int kc, float* a, float* b, nint ldb, float* c, nint ldc, float* alphaBeta, bool overwrite)
        where TB : struct, IGemmBLayout
    {
        // Fetch the C tile now so its misses overlap the k loop instead of stalling the stores.
        for (int i = 0; i < 4; i++)
        {
            Sse.Prefetch0(c + i * ldc);
            Sse.Prefetch0(c + i * ldc + 23);
        }
        Vector256<float> c00 = default, c01 = default, c02 = default, c10 = default, c11 = default, c12 = default;
        Vector256<float> c20 = default, c21 = default, c22 = default, c30 = default, c31 = default, c32 = default;
        for (int p = 0; p < kc; p++)
        {
            Vector256<float> b0 = TB.Load256(b);
            Vector256<float> b1 = TB.Load256(b + 8);
            Vector256<float> b2 = TB.Load256(b + 16);
            Vector256<float> av = Vector256.Create(a[0]);
            c00 = Vector256.FusedMultiplyAdd(av, b0, c00);
            c01 = Vector256.FusedMultiplyAdd(av, b1, c01);
            c02 = Vector256.FusedMultiplyAdd(av, b2, c02);
            av = Vector256.Create(a[1]);
            c10 = Vector256.FusedMultiplyAdd(av, b0, c10);
            c11 = Vector256.FusedMultiplyAdd(av, b1, c11);
            c12 = Vector256.FusedMultiplyAdd(av, b2, c12);
            av = Vector256.Create(a[2]);
            c20 = Vector256.FusedMultiplyAdd(av, b0, c20);
            c21 = Vector256.FusedMultiplyAdd(av, b1, c21);
            c22 = Vector256.FusedMultiplyAdd(av, b2, c22);
            av = Vector256.Create(a[3]);
            c30 = Vector256.FusedMultiplyAdd(av, b0, c30);
            c31 = Vector256.FusedMultiplyAdd(av, b1, c31);
            c32 = Vector256.FusedMultiplyAdd(av, b2, c32);
            a += 4;
            b += ldb;
        }
        var va = Vector256.Create(alphaBeta[0]);
        var vb = Vector256.Create(alphaBeta[1]);
        Store(c, c00, c01, c02, va, vb, overwrite); c += ldc;
        Store(c, c10, c11, c12, va, vb, overwrite); c += ldc;
        Store(c, c20, c21, c22, va, vb, overwrite); c += ldc;
        Store(c, c30, c31, c32, va, vb, overwrite);
    }

    /// <summary>
    /// Ragged tiles: up to 8 or 16 real columns (14x14 maps leave 4, 7x7 maps 1, 28x28 maps 16)
    /// take a one- or two-vector pass over all 4 rows; otherwise ragged rows take 2- and 1-row passes.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void RunEdge(int rows, int cols, int kc, float* a, float* b, float* tile)
    {
        if (cols <= 8)
        {
            Cols8(kc, a, b, tile);
            return;
        }
        if (cols <= 16)
        {
            Cols16(kc, a, b, tile);
            return;
        }
        if (rows == 4)
        {
            float* one = stackalloc float[2] { 1f, 0f };
            Run(kc, a, b, tile, 24, one, true);
            return;
        }
        int r = 0;
        if (rows - r >= 2) { Rows2(kc, a + r, b, tile + r * 24); r += 2; }
        if (rows - r >= 1) Rows1(kc, a + r, b, tile + r * 24);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Cols8(int kc, float* a, float* b, float* t)
    {
        Vector256<float> c0 = default, c1 = default, c2 = default, c3 = default;
        for (int p = 0; p < kc; p++)
        {
            Vector256<float> b0 = Vector256.LoadAligned(b);
            c0 = Vector256.FusedMultiplyAdd(Vector256.Create(a[0]), b0, c0);
            c1 = Vector256.FusedMultiplyAdd(Vector256.Create(a[1]), b0, c1);
            c2 = Vector256.FusedMultiplyAdd(Vector256.Create(a[2]), b0, c2);
            c3 = Vector256.FusedMultiplyAdd(Vector256.Create(a[3]), b0, c3);
            a += 4;
            b += 24;
        }
        c0.Store(t); c1.Store(t + 24); c2.Store(t + 48); c3.Store(t + 72);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Cols16(int kc, float* a, float* b, float* t)
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
            a += 4;
            b += 24;
        }
        c00.Store(t); c01.Store(t + 8);
        c10.Store(t + 24); c11.Store(t + 32);
        c20.Store(t + 48); c21.Store(t + 56);
        c30.Store(t + 72); c31.Store(t + 80);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Rows2(int kc, float* a, float* b, float* t)
    {
        Vector256<float> c00 = default, c01 = default, c02 = default, c10 = default, c11 = default, c12 = default;
        for (int p = 0; p < kc; p++)
        {
            Vector256<float> b0 = Vector256.LoadAligned(b);
            Vector256<float> b1 = Vector256.LoadAligned(b + 8);
            Vector256<float> b2 = Vector256.LoadAligned(b + 16);
            Vector256<float> av = Vector256.Create(a[0]);
            c00 = Vector256.FusedMultiplyAdd(av, b0, c00);
            c01 = Vector256.FusedMultiplyAdd(av, b1, c01);
            c02 = Vector256.FusedMultiplyAdd(av, b2, c02);
            av = Vector256.Create(a[1]);
            c10 = Vector256.FusedMultiplyAdd(av, b0, c10);
            c11 = Vector256.FusedMultiplyAdd(av, b1, c11);
            c12 = Vector256.FusedMultiplyAdd(av, b2, c12);
            a += 4;
            b += 24;
        }
        c00.Store(t); c01.Store(t + 8); c02.Store(t + 16);
        c10.Store(t + 24); c11.Store(t + 32); c12.Store(t + 40);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Rows1(int kc, float* a, float* b, float* t)
    {
        Vector256<float> c00 = default, c01 = default, c02 = default;
        for (int p = 0; p < kc; p++)
        {
            Vector256<float> av = Vector256.Create(a[0]);
            c00 = Vector256.FusedMultiplyAdd(av, Vector256.LoadAligned(b), c00);
            c01 = Vector256.FusedMultiplyAdd(av, Vector256.LoadAligned(b + 8), c01);
            c02 = Vector256.FusedMultiplyAdd(av, Vector256.LoadAligned(b + 16), c02);
            a += 4;
            b += 24;
        }
        c00.Store(t); c01.Store(t + 8); c02.Store(t + 16);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(float* c, Vector256<float> x0, Vector256<float> x1, Vector256<float> x2,
        Vector256<float> alpha, Vector256<float> beta, bool overwrite)
    {
        if (overwrite)
        {
            Vector256.Store(x0 * alpha, c);
            Vector256.Store(x1 * alpha, c + 8);
            Vector256.Store(x2 * alpha, c + 16);
        }
        else
        {
            Vector256.Store(Vector256.FusedMultiplyAdd(x0, alpha, beta * Vector256.Load(c)), c);
            Vector256.Store(Vector256.FusedMultiplyAdd(x1, alpha, beta * Vector256.Load(c + 8)), c + 8);
            Vector256.Store(Vector256.FusedMultiplyAdd(x2, alpha, beta * Vector256.Load(c + 16)), c + 16);
        }
    }
}
