using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using OctaveML.Blas;
using OctaveML.Threading;

namespace OctaveML.Bench;

/// <summary>
/// SGEMM throughput, as GFLOP/s and as a fraction of the FMA peak measured in the same run:
/// square sizes, and the 1x1 convolutions of OctResNet-50 (alpha 0.5, 224 px), per image,
/// as C[Cout x HW] = W[Cout x Cin] * X[Cin x HW] on the high-frequency (h->h) path.
/// </summary>
public static class GemmBench
{
    private static readonly (string Name, int M, int N, int K)[] Conv1x1Shapes =
    [
        ("conv1x1_l1_c1_h2h_m32_n3136_k128", 32, 3136, 128),   // layer1 conv1: 256->64, h 128->32 at 56x56
        ("conv1x1_l1_c3_h2h_m128_n3136_k32", 128, 3136, 32),   // layer1 conv3: 64->256, h 32->128 at 56x56
        ("conv1x1_l2_c1_h2h_m64_n784_k256", 64, 784, 256),     // layer2 conv1: 512->128, h 256->64 at 28x28
        ("conv1x1_l2_c3_h2h_m256_n784_k64", 256, 784, 64),     // layer2 conv3: 128->512, h 64->256 at 28x28
        ("conv1x1_l3_c1_h2h_m128_n196_k512", 128, 196, 512),   // layer3 conv1: 1024->256, h 512->128 at 14x14
        ("conv1x1_l4_c3_m2048_n49_k512", 2048, 49, 512),       // layer4 conv3: 512->2048 (alpha 0) at 7x7
    ];

    private static float _sink;

    public static void Run()
    {
        string isa = Vector512.IsHardwareAccelerated && Avx512F.IsSupported ? "Vector512 (AVX-512F)"
            : Fma.IsSupported ? "Vector256 (AVX2+FMA)" : "Vector128";
        Console.WriteLine($"# fma peak loop on {isa}; gemm kernel {Gemm.BestKernel}; {Environment.ProcessorCount} processors");

        // The machine is shared: the 1024 fraction alternates FMA-loop and GEMM samples so both see
        // the same load, and reports the median of the per-pair ratios.
        var (peak1, gemm1, frac1) = PeakAndFraction(1024, 1);
        var (peak2, gemm2, frac2) = PeakAndFraction(1024, 2);
        Figure.Print("fma_peak_gflops_1t", peak1);
        Figure.Print("fma_peak_gflops_2t", peak2);
        Figure.Print("gemm_gflops_1t_1024", gemm1);
        Figure.Print("gemm_gflops_2t_1024", gemm2);
        Figure.Print("gemm_peak_fraction_1t_1024", frac1);
        Figure.Print("gemm_peak_fraction_2t_1024", frac2);

        foreach (int s in new[] { 256, 512, 2048 })
        {
            Figure.Print($"gemm_gflops_1t_{s}", GemmGflops(s, s, s, 1));
            Figure.Print($"gemm_gflops_2t_{s}", GemmGflops(s, s, s, 2));
        }
        foreach (var (name, m, n, k) in Conv1x1Shapes)
        {
            Figure.Print($"gemm_gflops_1t_{name}", GemmGflops(m, n, k, 1));
            Figure.Print($"gemm_gflops_2t_{name}", GemmGflops(m, n, k, 2));
        }
    }

    /// <summary>GFLOP/s of C = A * B (no transposition) on <paramref name="threads"/> threads, median of 5.</summary>
    private static double GemmGflops(int m, int n, int k, int threads)
    {
        var (once, reps) = GemmSample(m, n, k, threads);
        double seconds = Figure.MedianSeconds(() => { for (int r = 0; r < reps; r++) once(); }, reps: 5, warmup: 1);
        return 2.0 * m * n * k * reps / seconds / 1e9;
    }

    /// <summary>A square GEMM call and its repetition count for a sample of about 60 ms.</summary>
    private static (Action Once, int Reps) GemmSample(int m, int n, int k, int threads)
    {
        var rng = new Random(42);
        float[] a = Fill(rng, m * k), b = Fill(rng, k * n), c = new float[m * n];
        void Once() => Gemm.Sgemm(false, false, m, n, k, 1f, a, k, b, n, 0f, c, n, threads);
        return (Once, Repetitions(Once));
    }

    /// <summary>
    /// FMA peak, GEMM GFLOP/s and their ratio from 7 alternating sample pairs: the medians of the
    /// peak and GEMM samples, and the median of the per-pair ratios.
    /// </summary>
    private static (double Peak, double Gemm, double Fraction) PeakAndFraction(int size, int threads)
    {
        const long fmaIters = 3_000_000;
        double fmaFlops = (double)fmaIters * FlopsPerIteration() * threads;
        FmaLoop(1000); // JIT the loop before timing
        void Fma() => Parallelism.For(threads, _ => _sink += FmaLoop(fmaIters), threads);
        var (once, reps) = GemmSample(size, size, size, threads);
        double gemmFlops = 2.0 * size * size * size * reps;
        Fma();
        var peaks = new double[7];
        var gemms = new double[7];
        var ratios = new double[7];
        for (int i = 0; i < peaks.Length; i++)
        {
            peaks[i] = fmaFlops / Figure.Seconds(Fma) / 1e9;
            gemms[i] = gemmFlops / Figure.Seconds(() => { for (int r = 0; r < reps; r++) once(); }) / 1e9;
            ratios[i] = gemms[i] / peaks[i];
        }
        return (Figure.Median(peaks), Figure.Median(gemms), Figure.Median(ratios));
    }


    /// <summary>Calls needed for one timed sample of about 60 ms (after a warm-up call).</summary>
    private static int Repetitions(Action once)
    {
        once();
        long t0 = Stopwatch.GetTimestamp();
        once();
        double s = Stopwatch.GetElapsedTime(t0).TotalSeconds;
        return (int)Math.Clamp(0.06 / Math.Max(s, 1e-7), 1, 100000);
    }

    private static long FlopsPerIteration() =>
        Vector512.IsHardwareAccelerated && Avx512F.IsSupported ? 2 * 16 * 24
        : Fma.IsSupported ? 2 * 8 * 12
        : 2 * 4 * 12;

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float FmaLoop(long iters)
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

    private static float[] Fill(Random rng, int count)
    {
        var x = new float[count];
        for (int i = 0; i < count; i++) x[i] = (float)(rng.NextDouble() * 2 - 1);
        return x;
    }
}
