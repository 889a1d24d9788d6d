using OctaveML.Blas;

namespace OctaveML.Bench;

/// <summary>
/// The <c>gemm</c> suite: one product shape, as a fraction of the FMA peak sampled alternately in the
/// same process (median of the pairs' ratios), to see how a layer's GEMM runs alone.
/// Usage: <c>gemm M N K [nn|tn|nt|tt] [threads] [kernel]</c> (t = that operand transposed; default nn, 1 thread,
/// the kernel Auto picks; or a <see cref="GemmKernel"/> name such as Avx2, Avx2Dot, Avx512Rows).
/// </summary>
public static class GemmShapeBench
{
    public const string Name = "gemm";

    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        if (args.Length < 3 || !int.TryParse(args[0], out int m) || !int.TryParse(args[1], out int n) || !int.TryParse(args[2], out int k)
            || m <= 0 || n <= 0 || k <= 0)
        {
            error.WriteLine("usage: gemm M N K [nn|tn|nt|tt] [threads] [kernel]  (positive sizes; t = that operand transposed; kernel: a GemmKernel name, default Auto)");
            return 2;
        }
        string ops = args.Length > 3 ? args[3] : "nn";
        if (ops.Length != 2 || ops.Any(ch => ch != 'n' && ch != 't'))
        {
            error.WriteLine($"gemm: transposes '{ops}' must be two letters of n and t (nn, tn, nt or tt).");
            return 2;
        }
        int threads = 1;
        if (args.Length > 4 && (!int.TryParse(args[4], out threads) || threads <= 0))
        {
            error.WriteLine($"gemm: threads '{args[4]}' must be a positive integer.");
            return 2;
        }
        var kernel = GemmKernel.Auto;
        if (args.Length > 5 && !Enum.TryParse(args[5], ignoreCase: true, out kernel))
        {
            error.WriteLine($"gemm: kernel '{args[5]}' is not one of {string.Join(", ", Enum.GetNames<GemmKernel>())}.");
            return 2;
        }
        bool ta = ops[0] == 't', tb = ops[1] == 't';
        var rng = new Random(42);
        float[] a = RandomData.Uniform(rng, m * k), b = RandomData.Uniform(rng, k * n), c = new float[m * n];
        int lda = ta ? m : k, ldb = tb ? k : n;
        void Once() => Gemm.SgemmOn(kernel, ta, tb, m, n, k, 1f, a, lda, b, ldb, 0f, c, n, threads);
        var (_, gemm, fraction) = GemmBench.PeakAndFraction(Once, GemmBench.Repetitions(Once), 2.0 * m * n * k, threads, pairs: 9);
        string name = $"{m}x{n}x{k}_{ops}_{threads}t" + (kernel == GemmKernel.Auto ? "" : $"_{kernel}");
        Figure.Print(output, $"gemm_gflops_{name}", gemm);
        Figure.Print(output, $"gemm_peak_fraction_{name}", fraction);
        return 0;
    }
}
