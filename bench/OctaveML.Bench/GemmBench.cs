using System.Diagnostics;
using OctaveML.Blas;

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

    public static void Run()
    {
        Console.WriteLine($"# fma peak loop on {FmaPeak.Isa}; gemm kernel {Gemm.BestKernel}; {Environment.ProcessorCount} processors");

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
        float[] a = RandomData.Uniform(rng, m * k), b = RandomData.Uniform(rng, k * n), c = new float[m * n];
        void Once() => Gemm.Sgemm(false, false, m, n, k, 1f, a, k, b, n, 0f, c, n, threads);
        return (Once, Repetitions(Once));
    }

    /// <summary>FMA peak, GEMM GFLOP/s and their ratio for a square product of <paramref name="size"/> (7 pairs).</summary>
    private static (double Peak, double Gemm, double Fraction) PeakAndFraction(int size, int threads)
    {
        var (once, reps) = GemmSample(size, size, size, threads);
        return PeakAndFraction(once, reps, 2.0 * size * size * size, threads, pairs: 7);
    }

    /// <summary>
    /// FMA peak, GEMM GFLOP/s and their ratio from <paramref name="pairs"/> alternating sample pairs (a peak sample,
    /// then <paramref name="reps"/> calls of <paramref name="once"/>, a product of <paramref name="flopsPerCall"/>): the
    /// medians of the peak and GEMM samples, and the median of the per-pair ratios.
    /// </summary>
    internal static (double Peak, double Gemm, double Fraction) PeakAndFraction(Action once, int reps, double flopsPerCall, int threads, int pairs)
    {
        double gemmFlops = flopsPerCall * reps;
        FmaPeak.Gflops(threads);
        var peaks = new double[pairs];
        var gemms = new double[pairs];
        var ratios = new double[pairs];
        for (int i = 0; i < peaks.Length; i++)
        {
            peaks[i] = FmaPeak.Gflops(threads);
            gemms[i] = gemmFlops / Figure.Seconds(() => { for (int r = 0; r < reps; r++) once(); }) / 1e9;
            ratios[i] = gemms[i] / peaks[i];
        }
        return (Figure.Median(peaks), Figure.Median(gemms), Figure.Median(ratios));
    }


    /// <summary>Calls needed for one timed sample of about 60 ms (after a warm-up call).</summary>
    internal static int Repetitions(Action once)
    {
        once();
        long t0 = Stopwatch.GetTimestamp();
        once();
        double s = Stopwatch.GetElapsedTime(t0).TotalSeconds;
        return (int)Math.Clamp(0.06 / Math.Max(s, 1e-7), 1, 100000);
    }
}
