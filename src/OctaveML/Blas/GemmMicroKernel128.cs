using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace OctaveML.Blas;

/// <summary>
/// Portable micro-kernel, 4 x 8 on Vector128 (SSE, NEON, or the runtime's software fallback).
/// Multiply-add uses FMA where the hardware has it and multiply-then-add where it does not.
/// </summary>
internal readonly unsafe struct GemmMicroKernel128 : IGemmMicroKernel
{
    public static int MR => 4;
    public static int NR => 8;
    public static int KC => 256;
    public static int MC => 128;
    public static int NC => 4096;

    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    public static void Run(int kc, float* a, float* b, float* c, nint ldc, float* alphaBeta, bool overwrite)
    {
        if (Sse.IsSupported)
        {
            // Fetch the C tile now so its misses overlap the k loop instead of stalling the stores.
            for (int i = 0; i < 4; i++)
            {
                Sse.Prefetch0(c + i * ldc);
                Sse.Prefetch0(c + i * ldc + 7);
            }
        }
        Vector128<float> c00 = default, c01 = default;
        Vector128<float> c10 = default, c11 = default;
        Vector128<float> c20 = default, c21 = default;
        Vector128<float> c30 = default, c31 = default;
        for (int p = 0; p < kc; p++)
        {
            Vector128<float> b0 = Vector128.LoadAligned(b);
            Vector128<float> b1 = Vector128.LoadAligned(b + 4);
            Vector128<float> av;
            av = Vector128.Create(a[0]);
            c00 = Vector128.MultiplyAddEstimate(av, b0, c00);
            c01 = Vector128.MultiplyAddEstimate(av, b1, c01);
            av = Vector128.Create(a[1]);
            c10 = Vector128.MultiplyAddEstimate(av, b0, c10);
            c11 = Vector128.MultiplyAddEstimate(av, b1, c11);
            av = Vector128.Create(a[2]);
            c20 = Vector128.MultiplyAddEstimate(av, b0, c20);
            c21 = Vector128.MultiplyAddEstimate(av, b1, c21);
            av = Vector128.Create(a[3]);
            c30 = Vector128.MultiplyAddEstimate(av, b0, c30);
            c31 = Vector128.MultiplyAddEstimate(av, b1, c31);
            a += 4;
            b += 8;
        }
        var va = Vector128.Create(alphaBeta[0]);
        var vb = Vector128.Create(alphaBeta[1]);
        Store(c, c00, c01, va, vb, overwrite); c += ldc;
        Store(c, c10, c11, va, vb, overwrite); c += ldc;
        Store(c, c20, c21, va, vb, overwrite); c += ldc;
        Store(c, c30, c31, va, vb, overwrite);
    }

    public static void RunEdge(int rows, int cols, int kc, float* a, float* b, float* tile)
    {
        // Channel counts are multiples of 4, so ragged tiles are rare: run the full tile.
        float* one = stackalloc float[2] { 1f, 0f };
        Run(kc, a, b, tile, NR, one, true);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(float* c, Vector128<float> x0, Vector128<float> x1, Vector128<float> alpha, Vector128<float> beta, bool overwrite)
    {
        // The final update is fused on every path so full and edge tiles round alike.
        if (overwrite)
        {
            Vector128.Store(x0 * alpha, c);
            Vector128.Store(x1 * alpha, c + 4);
        }
        else
        {
            Vector128.Store(Vector128.FusedMultiplyAdd(x0, alpha, beta * Vector128.Load(c)), c);
            Vector128.Store(Vector128.FusedMultiplyAdd(x1, alpha, beta * Vector128.Load(c + 4)), c + 4);
        }
    }
}
