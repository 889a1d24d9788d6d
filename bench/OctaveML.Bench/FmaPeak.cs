using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using OctaveML.Threading;

namespace OctaveML.Bench;

/// <summary>
/// The machine's float32 FMA peak as measured: every thread runs a loop of independent FMA chains on
/// the widest vectors the CPU accelerates (the denominator of every <c>peak_fraction</c> figure).
/// </summary>
public static class FmaPeak
{
    private static float _sink;
    private static long _iterationsPerSecond;

    /// <summary>The vector width the loop runs on: "Vector512 (AVX-512F)", "Vector256 (AVX2+FMA)" or "Vector128".</summary>
    public static string Isa => Vector512.IsHardwareAccelerated && Avx512F.IsSupported ? "Vector512 (AVX-512F)"
        : Fma.IsSupported ? "Vector256 (AVX2+FMA)" : "Vector128";

    /// <summary>
    /// GFLOP/s of one sample: each of <paramref name="threads"/> threads (the engine's worker team, as the
    /// kernels) runs the loop for about <paramref name="seconds"/>.
    /// </summary>
    public static double Gflops(int threads, double seconds = 0.05)
    {
        long iters = Math.Max(1000, (long)(IterationsPerSecond() * seconds));
        long t0 = Stopwatch.GetTimestamp();
        Parallelism.For(threads, _ => _sink += Loop(iters), threads);
        double s = Stopwatch.GetElapsedTime(t0).TotalSeconds;
        return (double)iters * FlopsPerIteration * threads / s / 1e9;
    }

    /// <summary>Loop iterations one thread runs per second, timed once (after the loop is compiled).</summary>
    private static long IterationsPerSecond()
    {
        if (_iterationsPerSecond > 0) return _iterationsPerSecond;
        _sink += Loop(1000);
        const long probe = 200_000;
        long t0 = Stopwatch.GetTimestamp();
        _sink += Loop(probe);
        _iterationsPerSecond = (long)(probe / Math.Max(Stopwatch.GetElapsedTime(t0).TotalSeconds, 1e-6));
        return _iterationsPerSecond;
    }

    /// <summary>Floating-point operations (2 per FMA lane) of one iteration of the loop this CPU runs.</summary>
    public static long FlopsPerIteration =>
        Vector512.IsHardwareAccelerated && Avx512F.IsSupported ? 2 * 16 * 24
        : Fma.IsSupported ? 2 * 8 * 12
        : 2 * 4 * 12;

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    internal static float Loop(long iters)
    {
        if (Vector512.IsHardwareAccelerated && Avx512F.IsSupported) return FmaLoop512(iters);
        if (Fma.IsSupported) return FmaLoop256(iters);
        return FmaLoop128(iters);
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float FmaLoop512(long iters)
    {
        // 24 independent chains: more than latency x pipes, so the FMA units never wait.
        var x = Vector512.Create(0.9999f);
        var y = Vector512.Create(1e-6f);
        Vector512<float> a0 = Vector512.Create(0.10f), a1 = Vector512.Create(0.11f), a2 = Vector512.Create(0.12f), a3 = Vector512.Create(0.13f);
        Vector512<float> a4 = Vector512.Create(0.14f), a5 = Vector512.Create(0.15f), a6 = Vector512.Create(0.16f), a7 = Vector512.Create(0.17f);
        Vector512<float> a8 = Vector512.Create(0.18f), a9 = Vector512.Create(0.19f), a10 = Vector512.Create(0.20f), a11 = Vector512.Create(0.21f);
        Vector512<float> b0 = Vector512.Create(0.30f), b1 = Vector512.Create(0.31f), b2 = Vector512.Create(0.32f), b3 = Vector512.Create(0.33f);
        Vector512<float> b4 = Vector512.Create(0.34f), b5 = Vector512.Create(0.35f), b6 = Vector512.Create(0.36f), b7 = Vector512.Create(0.37f);
        Vector512<float> b8 = Vector512.Create(0.38f), b9 = Vector512.Create(0.39f), b10 = Vector512.Create(0.40f), b11 = Vector512.Create(0.41f);
        for (long i = 0; i < iters; i++)
        {
            a0 = Avx512F.FusedMultiplyAdd(a0, x, y); a1 = Avx512F.FusedMultiplyAdd(a1, x, y);
            a2 = Avx512F.FusedMultiplyAdd(a2, x, y); a3 = Avx512F.FusedMultiplyAdd(a3, x, y);
            a4 = Avx512F.FusedMultiplyAdd(a4, x, y); a5 = Avx512F.FusedMultiplyAdd(a5, x, y);
            a6 = Avx512F.FusedMultiplyAdd(a6, x, y); a7 = Avx512F.FusedMultiplyAdd(a7, x, y);
            a8 = Avx512F.FusedMultiplyAdd(a8, x, y); a9 = Avx512F.FusedMultiplyAdd(a9, x, y);
            a10 = Avx512F.FusedMultiplyAdd(a10, x, y); a11 = Avx512F.FusedMultiplyAdd(a11, x, y);
            b0 = Avx512F.FusedMultiplyAdd(b0, x, y); b1 = Avx512F.FusedMultiplyAdd(b1, x, y);
            b2 = Avx512F.FusedMultiplyAdd(b2, x, y); b3 = Avx512F.FusedMultiplyAdd(b3, x, y);
            b4 = Avx512F.FusedMultiplyAdd(b4, x, y); b5 = Avx512F.FusedMultiplyAdd(b5, x, y);
            b6 = Avx512F.FusedMultiplyAdd(b6, x, y); b7 = Avx512F.FusedMultiplyAdd(b7, x, y);
            b8 = Avx512F.FusedMultiplyAdd(b8, x, y); b9 = Avx512F.FusedMultiplyAdd(b9, x, y);
            b10 = Avx512F.FusedMultiplyAdd(b10, x, y); b11 = Avx512F.FusedMultiplyAdd(b11, x, y);
        }
        var s = a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11
              + b0 + b1 + b2 + b3 + b4 + b5 + b6 + b7 + b8 + b9 + b10 + b11;
        return Vector512.Sum(s);
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float FmaLoop256(long iters)
    {
        // 12 independent chains in 16 ymm registers: more than latency x pipes.
        var x = Vector256.Create(0.9999f);
        var y = Vector256.Create(1e-6f);
        Vector256<float> a0 = Vector256.Create(0.10f), a1 = Vector256.Create(0.11f), a2 = Vector256.Create(0.12f), a3 = Vector256.Create(0.13f);
        Vector256<float> a4 = Vector256.Create(0.14f), a5 = Vector256.Create(0.15f), a6 = Vector256.Create(0.16f), a7 = Vector256.Create(0.17f);
        Vector256<float> a8 = Vector256.Create(0.18f), a9 = Vector256.Create(0.19f), a10 = Vector256.Create(0.20f), a11 = Vector256.Create(0.21f);
        for (long i = 0; i < iters; i++)
        {
            a0 = Fma.MultiplyAdd(a0, x, y); a1 = Fma.MultiplyAdd(a1, x, y);
            a2 = Fma.MultiplyAdd(a2, x, y); a3 = Fma.MultiplyAdd(a3, x, y);
            a4 = Fma.MultiplyAdd(a4, x, y); a5 = Fma.MultiplyAdd(a5, x, y);
            a6 = Fma.MultiplyAdd(a6, x, y); a7 = Fma.MultiplyAdd(a7, x, y);
            a8 = Fma.MultiplyAdd(a8, x, y); a9 = Fma.MultiplyAdd(a9, x, y);
            a10 = Fma.MultiplyAdd(a10, x, y); a11 = Fma.MultiplyAdd(a11, x, y);
        }
        var s = a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11;
        return Vector256.Sum(s);
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float FmaLoop128(long iters)
    {
        var x = Vector128.Create(0.9999f);
        var y = Vector128.Create(1e-6f);
        Vector128<float> a0 = Vector128.Create(0.10f), a1 = Vector128.Create(0.11f), a2 = Vector128.Create(0.12f), a3 = Vector128.Create(0.13f);
        Vector128<float> a4 = Vector128.Create(0.14f), a5 = Vector128.Create(0.15f), a6 = Vector128.Create(0.16f), a7 = Vector128.Create(0.17f);
        Vector128<float> a8 = Vector128.Create(0.18f), a9 = Vector128.Create(0.19f), a10 = Vector128.Create(0.20f), a11 = Vector128.Create(0.21f);
        for (long i = 0; i < iters; i++)
        {
            a0 = Vector128.MultiplyAddEstimate(a0, x, y); a1 = Vector128.MultiplyAddEstimate(a1, x, y);
            a2 = Vector128.MultiplyAddEstimate(a2, x, y); a3 = Vector128.MultiplyAddEstimate(a3, x, y);
            a4 = Vector128.MultiplyAddEstimate(a4, x, y); a5 = Vector128.MultiplyAddEstimate(a5, x, y);
            a6 = Vector128.MultiplyAddEstimate(a6, x, y); a7 = Vector128.MultiplyAddEstimate(a7, x, y);
            a8 = Vector128.MultiplyAddEstimate(a8, x, y); a9 = Vector128.MultiplyAddEstimate(a9, x, y);
            a10 = Vector128.MultiplyAddEstimate(a10, x, y); a11 = Vector128.MultiplyAddEstimate(a11, x, y);
        }
        var s = a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11;
        return Vector128.Sum(s);
    }
}
