using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace OctaveML.Blas;

/// <summary>
/// AVX2 + FMA 4 x 24 kernel reading B rows in place (see <see cref="IGemmRowKernel"/>): the
/// <see cref="GemmMicroKernel256x4"/> loop with unaligned loads at row stride ldb. Four-row
/// tiles divide the 8/16/32-channel convolutions this path serves.
/// </summary>
internal readonly unsafe struct GemmRowKernel256 : IGemmRowKernel
{
    public static int MR => 4;
    public static int NR => 24;
    public static int KC => 256; // a 256 x 24 strip of B is 24 KiB: stays in a 32 KiB L1

    /// <summary>The packed kernel's A layout (same MR), with its vectorised transposes.</summary>
    public static void PackA(float* a, nint lda, bool trans, int m, int k, float* dst) =>
        GemmPacking.PackA<GemmMicroKernel256x4>(a, lda, trans, 0, m, 0, k, dst);

    // Not inlined: in the driver's loop nest two of the twelve accumulators spilled (measured
    // half speed); on its own the kernel has all sixteen ymm registers.
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    public static void Run(int kc, float* a, float* b, nint ldb, float* c, nint ldc, float* alphaBeta, bool overwrite)
    {
        for (int i = 0; i < 4; i++)
        {
            Sse.Prefetch0(c + i * ldc);
            Sse.Prefetch0(c + i * ldc + 23);
        }
        Vector256<float> c00 = default, c01 = default, c02 = default, c10 = default, c11 = default, c12 = default;
        Vector256<float> c20 = default, c21 = default, c22 = default, c30 = default, c31 = default, c32 = default;
        for (int p = 0; p < kc; p++)
        {
            Vector256<float> b0 = Vector256.Load(b);
            Vector256<float> b1 = Vector256.Load(b + 8);
            Vector256<float> b2 = Vector256.Load(b + 16);
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
