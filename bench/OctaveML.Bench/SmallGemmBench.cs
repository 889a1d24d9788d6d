using System.Diagnostics;
using OctaveML.Blas;
using OctaveML.Nn;
using OctaveML.Tensors;
using OctaveML.Threading;

namespace OctaveML.Bench;

/// <summary>
/// Single-threaded SGEMM at the per-image shapes of small convolutions (OctResNet-20, 28 px, alpha 0.5:
/// 8/16/32 output channels per path; 28, 14, 7 and 4 px maps): forward C = W * col, weight gradient dW = dY * col^T and input
/// gradient dcol = W^T * dY. Times the 6 x 16 and 4 x 24 AVX2 kernels and the CPU's best
/// kernel alternately, so all see the same load; reports medians, what Auto picks on an AVX2 host
/// and its ratio to the 6 x 16 kernel, and the unpacked small-m path (B rows in place, or dot
/// products) against the packed kernel Auto would otherwise run, marked "(auto)" where Auto takes it.
/// Usage: <c>dotnet run -c Release --project bench/OctaveML.Bench -- gemm-small [PIXELS...]</c>, or
/// <c>-- gemm-small --model [MODEL SIZE BATCH [4x24|unpacked|edges]]</c> for the A/B over a model's convolutions
/// (switching Gemm.Avx2x4Allowed, default, Gemm.SmallPathsAllowed, or the AVX-512 kernel's narrow edge passes).
/// </summary>
public static class SmallGemmBench
{
    public static void Run(string[] args)
    {
        if (args.Length > 0 && args[0] == "--model")
        {
            ModelConvs(args.Length > 1 ? args[1] : "oct_resnet20", args.Length > 2 ? int.Parse(args[2]) : 28, args.Length > 3 ? int.Parse(args[3]) : 128,
                args.Length > 4 ? args[4] : "4x24");
            return;
        }
        if (!System.Runtime.Intrinsics.X86.Avx2.IsSupported || !System.Runtime.Intrinsics.X86.Fma.IsSupported)
        {
            Console.WriteLine("# no AVX2 + FMA: nothing to compare");
            return;
        }
        int[] rows = [8, 16, 32];
        int[] depths = [72, 144, 288];
        // Optional arguments: the pixel counts to run (default all).
        int[] pixels = args.Length > 0 ? args.Select(int.Parse).ToArray() : [784, 196, 49, 16];
        var ratios = new List<double>();
        var unpacked = new Dictionary<string, List<double>>();
        Console.WriteLine($"# best kernel {Gemm.BestKernel}. kind m n k: gflops 6x16, 4x24, auto (AVX2 auto picks), auto/6x16, best; unpacked path, its ratio to packed (best or AVX2 auto)");
        foreach (int m in rows)
            foreach (int k in depths)
                foreach (int p in pixels)
                {
                    ratios.Add(Compare("fwd", false, false, m, p, k, unpacked));
                    ratios.Add(Compare("dw", false, true, m, k, p, unpacked));
                    ratios.Add(Compare("dcol", true, false, k, p, m, unpacked));
                }
        ratios.Sort();
        Figure.Print("gemm_small_auto_over_6x16_median", ratios[ratios.Count / 2]);
        foreach (var (kind, r) in unpacked)
        {
            r.Sort();
            Figure.Print($"gemm_small_{kind}_unpacked_over_packed_median", r[r.Count / 2]);
        }
    }

    /// <summary>
    /// Every octave convolution of a model, replayed at the shape it saw (as in <c>models --profile</c>),
    /// forward and backward timed without and with one GEMM choice, in alternation within this process;
    /// prints the summed medians of each and their ratio. The choices: "4x24", Auto allowed to pick the
    /// 4 x 24 kernel (only meaningful where Auto runs AVX2, e.g. DOTNET_EnableAVX512=0 on an AVX-512 CPU);
    /// "unpacked", the small-m paths; "edges", the AVX-512 kernel's narrow passes for ragged column edges.
    /// </summary>
    private static void ModelConvs(string name, int size, int batch, string mode)
    {
        if (!Choices.TryGetValue(mode, out var choice)) throw new ArgumentException($"unknown A/B '{mode}': {string.Join(", ", Choices.Keys)}");
        var (what, tag, allow) = choice;
        Console.WriteLine($"# {name} {size} px batch {batch}, gemm kernel {Gemm.BestKernel}, {Parallelism.Threads} threads: {what}");
        var model = BenchModel.FromPeerName(name, size, batch).Create();
        var rng = new Rng(0);
        Tensor Random(int[] shape) { var t = Tensor.Uninitialized(shape); rng.FillNormal(t.Data, 0, 1); return t; }
        var x = Random([batch, 3, size, size]);
        model.Forward(x);
        const int Rounds = 7;
        double[] fwd = new double[2], bwd = new double[2];
        foreach (var (_, m) in model.NamedModules())
        {
            if (m is not ConvBN cb || cb.Conv.LastInputSize is not var (h, w)) continue;
            var c = cb.Conv;
            var (hs, ls) = c.OutputShapes(batch, h, w);
            var replay = new LayerReplay(c, rng, [[batch, c.HighIn, h, w], c.LowIn > 0 ? [batch, c.LowIn, (h + 1) / 2, (w + 1) / 2] : null], [hs, ls]);
            var f = new double[2][];
            var b = new double[2][];
            for (int s = 0; s < 2; s++) { f[s] = new double[Rounds]; b[s] = new double[Rounds]; }
            for (int r = -1; r < Rounds; r++) // round -1 warms up
                for (int s = 0; s < 2; s++)
                {
                    allow(s == 1);
                    long t0 = Stopwatch.GetTimestamp();
                    replay.Forward();
                    long t1 = Stopwatch.GetTimestamp();
                    replay.Backward();
                    long t2 = Stopwatch.GetTimestamp();
                    if (r < 0) continue;
                    f[s][r] = Stopwatch.GetElapsedTime(t0, t1).TotalSeconds;
                    b[s][r] = Stopwatch.GetElapsedTime(t1, t2).TotalSeconds;
                }
            allow(true);
            Console.WriteLine($"conv {c.KernelSize}x{c.KernelSize} {c.HighIn}+{c.LowIn} -> {hs[1]}+{(ls is null ? 0 : ls[1])} at {h}x{w}: " +
                $"fwd {Figure.Median(f[0]) * 1e3,6:F1} -> {Figure.Median(f[1]) * 1e3,6:F1} ms, bwd {Figure.Median(b[0]) * 1e3,6:F1} -> {Figure.Median(b[1]) * 1e3,6:F1} ms");
            for (int s = 0; s < 2; s++) { fwd[s] += Figure.Median(f[s]); bwd[s] += Figure.Median(b[s]); }
        }
        Console.WriteLine($"# sum of medians, {what}: fwd {fwd[0] * 1e3:F1} -> {fwd[1] * 1e3:F1} ms, bwd {bwd[0] * 1e3:F1} -> {bwd[1] * 1e3:F1} ms");
        Figure.Print($"model_convs_fwd_{tag}", fwd[1] / fwd[0]);
        Figure.Print($"model_convs_bwd_{tag}", bwd[1] / bwd[0]);
    }

    /// <summary>The GEMM choices <see cref="ModelConvs"/> compares: what it prints, the figure's tag, and the switch (off, then on).</summary>
    private static readonly Dictionary<string, (string What, string Tag, Action<bool> Allow)> Choices = new()
    {
        ["4x24"] = ("6x16 only -> with 4x24", "4x24_over_6x16", on => Gemm.Avx2x4Allowed = on),
        ["unpacked"] = ("packed -> unpacked small-m paths", "unpacked_over_packed", on => Gemm.SmallPathsAllowed = on),
        ["edges"] = ("full-tile edges -> narrow edge passes", "narrow_over_full_edges", on => GemmMicroKernel512.NarrowEdgesAllowed = on),
    };

    private static double Compare(string kind, bool transA, bool transB, int m, int n, int k, Dictionary<string, List<double>> unpacked)
    {
        var rng = new Random(7);
        float[] a = RandomData.Uniform(rng, m * k), b = RandomData.Uniform(rng, k * n), c = new float[m * n];
        int lda = transA ? m : k, ldb = transB ? k : n;
        // The unpacked path these transposes allow, timed whether or not Auto takes it at this shape.
        bool avx512 = Gemm.BestKernel == GemmKernel.Avx512;
        GemmKernel small = !transB ? (avx512 ? GemmKernel.Avx512Rows : GemmKernel.Avx2Rows)
            : !transA ? (avx512 ? GemmKernel.Avx512Dot : GemmKernel.Avx2Dot) : GemmKernel.Auto;
        GemmKernel[] kernels = small == GemmKernel.Auto ? [GemmKernel.Avx2, GemmKernel.Avx2x4, Gemm.BestKernel]
            : [GemmKernel.Avx2, GemmKernel.Avx2x4, Gemm.BestKernel, small];
        var once = kernels.Select(kernel => (Action)(() =>
            Gemm.SgemmOn(kernel, transA, transB, m, n, k, 1f, a, lda, b, ldb, 0f, c, n, maxThreads: 1))).ToArray();
        foreach (var f in once) f();
        int reps = Repetitions(once[0]);
        const int Rounds = 7;
        var g = new double[kernels.Length][];
        for (int i = 0; i < kernels.Length; i++) g[i] = new double[Rounds];
        for (int r = 0; r < Rounds; r++)
            for (int i = 0; i < kernels.Length; i++)
            {
                long t0 = Stopwatch.GetTimestamp();
                for (int j = 0; j < reps; j++) once[i]();
                g[i][r] = 2.0 * m * n * k * reps / Stopwatch.GetElapsedTime(t0).TotalSeconds / 1e9;
            }
        // What Auto runs on an AVX2 host (on an AVX-512 one it runs the best kernel, last column).
        bool pick4 = Gemm.PreferAvx2x4(m, n);
        double g6 = Figure.Median(g[0]), g4 = Figure.Median(g[1]), ga = pick4 ? g4 : g6, gb = Figure.Median(g[2]);
        string pick = pick4 ? "4x24" : "6x16";
        string extra = "";
        if (small != GemmKernel.Auto)
        {
            double gs = Figure.Median(g[3]), packed = Gemm.BestKernel == GemmKernel.Avx512 ? gb : ga;
            bool auto = Gemm.SmallPath(Gemm.BestKernel, transA, transB, m, n, k) != GemmKernel.Auto;
            extra = $"; {small} {gs,6:F1} {gs / packed:F2}{(auto ? " (auto)" : "")}";
            if (!unpacked.TryGetValue(kind, out var list)) unpacked[kind] = list = [];
            list.Add(gs / packed);
        }
        Console.WriteLine($"{kind,-4} m={m,3} n={n,3} k={k,3}: {g6,6:F1} {g4,6:F1} {ga,6:F1} ({pick}) {ga / g6:F2} {gb,6:F1}{extra}");
        return ga / g6;
    }

    /// <summary>Calls for one timed sample of about 20 ms.</summary>
    private static int Repetitions(Action once)
    {
        long t0 = Stopwatch.GetTimestamp();
        once();
        double s = Stopwatch.GetElapsedTime(t0).TotalSeconds;
        return (int)Math.Clamp(0.02 / Math.Max(s, 1e-7), 1, 100000);
    }
}
