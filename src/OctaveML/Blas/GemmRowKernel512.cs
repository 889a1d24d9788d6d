using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace OctaveML.Blas;

/// <summary>
/// AVX-512 8 x 32 kernel reading B rows in place (see <see cref="IGemmRowKernel"/>): the
/// <see cref="GemmMicroKernel512"/> loop with unaligned loads at row stride ldb.
/// </summary>
internal readonly unsafe struct GemmRowKernel512 : IGemmRowKernel
{
    public static int MR => 8;
    public static int NR => 32;
    public static int KC => 192; // a 192 x 32 strip of B is 24 KiB: stays in L1 for the next row panel

    /// <summary>The packed kernel's A layout (same MR), with its vectorised transposes.</summary>
    public static void PackA(float* a, nint lda, bool trans, int m, int k, float* dst) =>
        GemmPacking.PackA<GemmMicroKernel512>(a, lda, trans, 0, m, 0, k, dst);

    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    public static void Run(int kc, float* a, float* b, nint ldb, float* c, nint ldc, float* alphaBeta, bool overwrite)
    {
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
            Vector512<float> b0 = Vector512.Load(b);
            Vector512<float> b1 = Vector512.Load(b + 16);
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
