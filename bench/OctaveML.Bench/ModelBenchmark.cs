using System.Diagnostics;
using System.Globalization;
using OctaveML.Models;
using OctaveML.Threading;

namespace OctaveML.Bench;

/// <summary>
/// How <see cref="ModelBenchmark.Run"/> measures: threads of every side, timed and warm-up steps (null = per model),
/// the PyTorch peer's interpreter, the peers (null = all of <see cref="ModelPeers.Names"/>), and whether libtorch
/// with glibc's malloc untouched is measured against its default (tuned) run in alternating processes.
/// </summary>
public sealed record ModelBenchmarkOptions(int Threads, int? Steps = null, int? Warmup = null, string Python = PythonPeer.DefaultPython,
    IReadOnlyList<IModelPeer>? Peers = null, bool LibtorchMalloc = false);

/// <summary>
/// Whole-model training step (forward, cross-entropy, backward, SGD momentum 0.9 step) and inference
/// throughput against the peers (<see cref="ModelPeers"/>: the PyTorch script model_peer.py on the same
/// models from tools/reference/octaveml_ref.py, and libtorch through the TorchSharp backend on the same spec
/// and weights) on random data, same batch and thread count: the <c>models</c> suite. Each side runs in its
/// own process so that peak resident memory belongs to one model only: ours and libtorch's are this program
/// re-run as <c>models --child [--backend torchsharp] ...</c>.
/// </summary>
public static class ModelBenchmark
{
    /// <summary>The hidden option of the <c>models</c> suite that measures one configuration in this process.</summary>
    public const string ChildOption = "--child";

    /// <summary>The hidden option of the <c>models</c> suite that measures a model's alpha 0 twin against it, steps alternating (with <see cref="ChildOption"/>).</summary>
    public const string SpeedupOption = "--speedup";

    /// <summary>The hidden option naming what a child measures: managed (our engine, the default) or torchsharp (<see cref="LibtorchPeer"/>).</summary>
    public const string BackendOption = "--backend";

    /// <summary>The hidden option of a torchsharp child that leaves glibc's malloc as it is (the backend tunes it by default).</summary>
    public const string UntunedMallocOption = "--untuned-malloc";

    /// <summary>Alternating libtorch processes of each malloc kind behind <c>libtorch_malloc_speedup</c>.</summary>
    private const int MallocRounds = 3;

    /// <summary>
    /// Least number of alternating step pairs behind <c>oct_speedup</c> (a pair is ~2.6 s for ResNet-50 at 224):
    /// medians of 5 pairs spread from 1.48 to 1.60 on one build; 9 narrow that for ~10 s more.
    /// </summary>
    private const int SpeedupPairs = 9;

    /// <summary>The peer script's file name (next to this program).</summary>
    public const string PeerScript = PyTorchPeer.Script;

    /// <summary>
    /// Measures every configuration, ours then each peer's under the allocator setting its users get
    /// (<see cref="IModelPeer.DefaultMalloc"/>), and writes their figures to <paramref name="output"/>; returns the
    /// peers' failures (empty when they ran every configuration). A peer that cannot run here
    /// (<see cref="PeerException.Unavailable"/>) is tried once and then left out; the others go on.
    /// </summary>
    public static IReadOnlyList<PeerException> Run(IReadOnlyList<BenchModel> configs, ModelBenchmarkOptions options, TextWriter output)
    {
        var failures = new List<PeerException>();
        var peers = options.Peers ?? ModelPeers.Parse(ModelPeers.Names, options.Python);
        var unavailable = new HashSet<string>();
        Machine.PrintHeader(output, options.Threads);
        Figure.Print(output, "models_threads", options.Threads);
        output.WriteLine($"peers: {string.Join("; ", peers.Select(p => $"{p.Name} with {p.DefaultMalloc.Name} ({p.DescribeMalloc(p.DefaultMalloc)})"))}");
        var trainSeconds = new Dictionary<BenchModel, double>();
        foreach (var m in configs)
        {
            var (steps, warmup) = (options.Steps ?? m.DefaultReps.Steps, options.Warmup ?? m.DefaultReps.Warmup);
            var ours = MeasureOurs(m, options.Threads, steps, warmup, output);
            trainSeconds[m] = ours.TrainStepSeconds;
            foreach (var peer in peers)
            {
                if (unavailable.Contains(peer.Name)) continue;
                PeerRun p;
                try
                {
                    p = peer.Run(m, peer.DefaultMalloc, options.Threads, steps, warmup);
                    PrintPeerRun(m, p, ours, output);
                    if (options.LibtorchMalloc && peer is LibtorchPeer) CompareLibtorchMalloc(m, peer, p, options.Threads, steps, warmup, output);
                }
                catch (PeerException e)
                {
                    failures.Add(e);
                    if (e.Unavailable) unavailable.Add(peer.Name);
                }
            }
        }
        // What octave convolution buys: the alpha 0 model's step time over the alpha 0.5 one's, measured
        // in one process with the two models' steps alternating, so that both see the same machine load.
        foreach (var oct in trainSeconds.Keys)
            if (oct.Alpha == 0.5 && trainSeconds.ContainsKey(oct with { Alpha = 0 }))
                MeasureOctSpeedup(oct, options, output);
        return failures;
    }

    /// <summary>
    /// One peer's line and figures beside ours (peer time / our time: above 1 means OctaveML is faster):
    /// <c>train_imgs_per_s_PEER_KEY</c>, <c>infer_imgs_per_s_PEER_KEY</c>, <c>train_ratio_vs_PEER_KEY</c>,
    /// <c>infer_ratio_vs_PEER_KEY</c>, <c>peak_rss_mb_PEER_KEY</c>, <c>train_peak_rss_ratio_vs_PEER_KEY</c> (ours over
    /// the peer's), and when both sides counted it <c>train_cpu_ratio_vs_PEER_KEY</c> (CPU time per step, all threads:
    /// less moved by a neighbour's load than wall time).
    /// </summary>
    public static void PrintPeerRun(BenchModel m, PeerRun p, EngineRun ours, TextWriter output)
    {
        var inv = CultureInfo.InvariantCulture;
        string tag = $"{p.Peer}_{m.Key}";
        string cpu = ours.TrainCpuSeconds is { } c && p.TrainCpuSeconds is { } pc
            ? string.Create(inv, $"; CPU time per train step: OctaveML {c * 1e3:0} ms, {p.Peer} {pc * 1e3:0} ms")
            : "";
        output.WriteLine(string.Create(inv,
            $"{m.Key}: {p.Title}: train {m.BatchSize / p.TrainStepSeconds:0.0} img/s, infer {m.BatchSize / p.InferStepSeconds:0.0} img/s, peak RSS {p.PeakRssMb:0} MB{cpu}"));
        Figure.Print(output, $"train_imgs_per_s_{tag}", m.BatchSize / p.TrainStepSeconds);
        Figure.Print(output, $"infer_imgs_per_s_{tag}", m.BatchSize / p.InferStepSeconds);
        Figure.Print(output, $"train_ratio_vs_{tag}", BestPeer.TrainRatio(p, ours.TrainStepSeconds));
        Figure.Print(output, $"infer_ratio_vs_{tag}", p.InferStepSeconds / ours.InferStepSeconds);
        Figure.Print(output, $"peak_rss_mb_{tag}", p.PeakRssMb);
        Figure.Print(output, $"train_peak_rss_ratio_vs_{tag}", ours.PeakRssMb / p.PeakRssMb);
        if (ours.TrainCpuSeconds is { } ourCpu && p.TrainCpuSeconds is { } peerCpu && ourCpu > 0)
            Figure.Print(output, $"train_cpu_ratio_vs_{tag}", peerCpu / ourCpu);
    }

    /// <summary>
    /// libtorch with glibc's malloc untouched (default_malloc) against its default, tuned run (<paramref name="tuned"/>,
    /// glibc_tuned), in alternating processes since mallopt is process-wide and one-way: medians of wall and CPU
    /// time, page faults and peak memory; <c>libtorch_malloc_speedup_KEY</c> (untouched wall time over tuned),
    /// <c>libtorch_malloc_cpu_speedup_KEY</c> and <c>peak_rss_mb_libtorch_untuned_malloc_KEY</c>.
    /// </summary>
    private static void CompareLibtorchMalloc(BenchModel m, IModelPeer libtorch, PeerRun tuned, int threads, int steps, int warmup, TextWriter output)
    {
        var tunedRuns = new List<PeerRun> { tuned };
        var untunedRuns = new List<PeerRun>();
        for (int r = 0; r < MallocRounds; r++)
        {
            untunedRuns.Add(libtorch.Run(m, MallocSetting.Default, threads, steps, warmup));
            if (r < MallocRounds - 1) tunedRuns.Add(libtorch.Run(m, tuned.Malloc, threads, steps, warmup));
        }
        static double Med(List<PeerRun> runs, Func<PeerRun, double?> figure) => Figure.Median([.. runs.Select(r => figure(r) ?? double.NaN)]);
        double wallT = Med(tunedRuns, r => r.TrainStepSeconds), wallU = Med(untunedRuns, r => r.TrainStepSeconds);
        double cpuT = Med(tunedRuns, r => r.TrainCpuSeconds), cpuU = Med(untunedRuns, r => r.TrainCpuSeconds);
        double rssU = Med(untunedRuns, r => r.PeakRssMb);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{m.Key}: libtorch train step, glibc malloc tuned / untouched (medians of {tunedRuns.Count} / {untunedRuns.Count} alternating processes): " +
            $"wall {wallT * 1e3:0} / {wallU * 1e3:0} ms, CPU {cpuT * 1e3:0} / {cpuU * 1e3:0} ms, " +
            $"minor page faults {Med(tunedRuns, r => r.TrainMinorFaults):0} / {Med(untunedRuns, r => r.TrainMinorFaults):0}, " +
            $"peak RSS {Med(tunedRuns, r => r.PeakRssMb):0} / {rssU:0} MB"));
        Figure.Print(output, $"libtorch_malloc_speedup_{m.Key}", wallU / wallT);
        Figure.Print(output, $"libtorch_malloc_cpu_speedup_{m.Key}", cpuU / cpuT);
        Figure.Print(output, $"peak_rss_mb_libtorch_untuned_malloc_{m.Key}", rssU);
    }

    /// <summary>
    /// Prints <c>oct_speedup_PLAINKEY</c>: the alpha 0 twin's training step time over <paramref name="oct"/>'s,
    /// from one child process that alternates the two models' steps, so that both see the same machine load.
    /// With <paramref name="underLoad"/>, the same while a <see cref="BusyProcess"/> keeps one processor busy:
    /// <c>oct_speedup_under_load_PLAINKEY</c>.
    /// </summary>
    public static double MeasureOctSpeedup(BenchModel oct, ModelBenchmarkOptions options, TextWriter output, bool underLoad = false)
    {
        var inv = CultureInfo.InvariantCulture;
        var (steps, warmup) = (options.Steps ?? oct.DefaultReps.Steps, options.Warmup ?? oct.DefaultReps.Warmup);
        int pairs = Math.Max(steps, SpeedupPairs);
        string o;
        using (underLoad ? BusyProcess.Start() : null)
            o = RunSelf(oct, options.Threads, pairs, warmup, SpeedupOption);
        double plainS = Figure.Value(o, "plain_step_s"), octS = Figure.Value(o, "oct_step_s"), speedup = Figure.Value(o, "speedup");
        string plainKey = (oct with { Alpha = 0 }).Key;
        output.WriteLine(string.Create(inv,
            $"{plainKey} / {oct.Key}: steps alternating in one process{(underLoad ? " beside another process keeping one processor busy" : "")}, " +
            $"{pairs} pairs after {warmup} warm-up: alpha 0 {plainS * 1e3:0} ms, alpha 0.5 {octS * 1e3:0} ms (medians)"));
        Figure.Print(output, underLoad ? $"oct_speedup_under_load_{plainKey}" : $"oct_speedup_{plainKey}", speedup);
        return speedup;
    }

    /// <summary>Measures our engine on <paramref name="m"/> in a child process and returns its figures without printing them.</summary>
    public static EngineRun MeasureOursQuietly(BenchModel m, int threads, int steps, int warmup) => EngineRun.Parse(RunSelf(m, threads, steps, warmup));

    /// <summary>
    /// Measures our engine on <paramref name="m"/> in a child process and prints its figures: images/s, peak
    /// memory (whole child and training), the share of the FMA peak the training steps reached (FLOP per
    /// image: 3 x 2 x forward MACs of <see cref="ModelSummary"/>) and how close they ran to the roofline bound.
    /// </summary>
    public static EngineRun MeasureOurs(BenchModel m, int threads, int steps, int warmup, TextWriter output)
    {
        var inv = CultureInfo.InvariantCulture;
        string key = m.Key;
        var run = MeasureOursQuietly(m, threads, steps, warmup);
        var model = m.Create();
        var summary = ModelSummary.Create(model, m.Size, m.Size);
        double flopsPerImage = 6.0 * summary.TotalMacs;
        double fraction = run.TrainPeakFraction(flopsPerImage, m.BatchSize);
        var bound = Roofline.Bound(Roofline.Layers(model, summary, m.BatchSize), run.PeakGflops, run.MemoryGbps);
        double boundS = bound.Sum(p => p.Seconds);
        output.WriteLine(string.Create(inv,
            $"{key}: {m.Model} depth {m.EffectiveDepth?.ToString(inv) ?? "-"} alpha {m.Alpha}, {m.Size}x{m.Size}, batch {m.BatchSize}, {threads} threads, median of {steps} steps after {warmup} warm-up: OctaveML train {m.BatchSize / run.TrainStepSeconds:0.0} img/s, infer {m.BatchSize / run.InferStepSeconds:0.0} img/s, peak RSS {run.PeakRssMb:0} MB (training {run.TrainPeakRssMb:0} MB)"));
        output.WriteLine(string.Create(inv,
            $"{key}: training {flopsPerImage / 1e9:0.###} GFLOP an image (3 x 2 x {summary.TotalMacs / 1e9:0.####} GMACs) at {fraction:0.###} of the FMA peak ({run.PeakGflops:0} GFLOP/s in the child, paired with the steps; the best sample {run.MaxPeakGflops:0})"));
        output.WriteLine(string.Create(inv,
            $"{key}: roofline (layer by layer, FMA {run.PeakGflops:0} GFLOP/s, memory {run.MemoryGbps:0.#} GB/s triad) {Roofline.Describe(bound)}; measured {run.TrainStepSeconds * 1e3:0} ms, {boundS / run.TrainStepSeconds:0.###} of the bound's speed"));
        Figure.Print(output, $"train_imgs_per_s_{key}", m.BatchSize / run.TrainStepSeconds);
        Figure.Print(output, $"infer_imgs_per_s_{key}", m.BatchSize / run.InferStepSeconds);
        Figure.Print(output, $"peak_rss_mb_{key}", run.PeakRssMb);
        Figure.Print(output, $"train_peak_rss_mb_{key}", run.TrainPeakRssMb);
        Figure.Print(output, $"train_peak_fraction_{key}", fraction);
        Figure.Print(output, $"train_roofline_fraction_{key}", boundS / run.TrainStepSeconds);
        return run;
    }

    /// <summary>
    /// Measures <paramref name="m"/> in this process and writes "key value" lines (the child side): training
    /// steps paired with FMA-peak samples, the peak memory they reached, inference, then memory bandwidth
    /// (after the peaks are taken, so its arrays do not count).
    /// </summary>
    public static void Measure(BenchModel m, int threads, int steps, int warmup, TextWriter output)
    {
        Parallelism.Threads = threads;
        var run = new ModelTrainingStep(m.Create(), m.BatchSize, m.Size);
        for (int i = 0; i < warmup; i++) run.Step();
        // CPU time and page faults of the timed steps only, not of the peak samples between them.
        var spent = default(ProcessCounters);
        var train = PeakPairedSteps.Measure(() => ProcessCounters.Count(run.Step, ref spent), steps, warmup: 0, threads);
        double trainRss = Process.GetCurrentProcess().PeakWorkingSet64 / 1e6;
        run.Model.Eval();
        double infer = Figure.MedianSeconds(run.Infer, steps, warmup);
        double rss = Process.GetCurrentProcess().PeakWorkingSet64 / 1e6;
        var inv = CultureInfo.InvariantCulture;
        output.WriteLine(string.Create(inv, $"train_step_s {train.StepSeconds}"));
        output.WriteLine(string.Create(inv, $"train_cpu_s {spent.CpuSeconds / steps}"));
        output.WriteLine(string.Create(inv, $"train_minor_faults {(double)spent.MinorFaults / steps}"));
        output.WriteLine(string.Create(inv, $"step_peak_gflop {train.StepPeakGflop}"));
        output.WriteLine(string.Create(inv, $"fma_peak_gflops {train.PeakGflops}"));
        output.WriteLine(string.Create(inv, $"fma_peak_max_gflops {train.MaxPeakGflops}"));
        output.WriteLine(string.Create(inv, $"infer_step_s {infer}"));
        output.WriteLine(string.Create(inv, $"loss {run.Loss}"));
        output.WriteLine(string.Create(inv, $"train_peak_rss_mb {trainRss}"));
        output.WriteLine(string.Create(inv, $"peak_rss_mb {rss}"));
        var gc = GC.GetGCMemoryInfo(GCKind.Any);
        output.WriteLine(string.Create(inv, $"gc_peak_committed_mb {gc.TotalCommittedBytes / 1e6}"));
        output.WriteLine(string.Create(inv, $"gc_heap_mb {gc.HeapSizeBytes / 1e6}"));
        output.WriteLine(string.Create(inv, $"parameters_mb {run.Model.ParameterCount() * 4 / 1e6}"));
        output.WriteLine(string.Create(inv, $"memory_gbps {MemoryBandwidth.Gbps(threads)}"));
    }

    /// <summary>
    /// The training step of <paramref name="oct"/>'s alpha 0 twin against its own, in this process: after
    /// <paramref name="warmup"/> untimed steps of each, <paramref name="pairs"/> pairs of one step of each,
    /// alternating (which runs first alternates too). Writes the median step times and the median of the
    /// pairs' time ratios (alpha 0 / alpha 0.5), which cancels load that drifts slower than a pair.
    /// </summary>
    public static void MeasureSpeedup(BenchModel oct, int threads, int pairs, int warmup, TextWriter output)
    {
        Parallelism.Threads = threads;
        var plain = new ModelTrainingStep((oct with { Alpha = 0 }).Create(), oct.BatchSize, oct.Size);
        var octave = new ModelTrainingStep(oct.Create(), oct.BatchSize, oct.Size);
        for (int i = 0; i < warmup; i++) { plain.Step(); octave.Step(); }
        var plainT = new double[pairs];
        var octT = new double[pairs];
        var ratios = new double[pairs];
        for (int i = 0; i < pairs; i++)
        {
            if (i % 2 == 0) { plainT[i] = Figure.Seconds(plain.Step); octT[i] = Figure.Seconds(octave.Step); }
            else { octT[i] = Figure.Seconds(octave.Step); plainT[i] = Figure.Seconds(plain.Step); }
            ratios[i] = plainT[i] / octT[i];
        }
        var inv = CultureInfo.InvariantCulture;
        output.WriteLine(string.Create(inv, $"plain_step_s {Figure.Median(plainT)}"));
        output.WriteLine(string.Create(inv, $"oct_step_s {Figure.Median(octT)}"));
        output.WriteLine(string.Create(inv, $"speedup {Figure.Median(ratios)}"));
    }

    /// <summary>The arguments of a <c>models --child</c> run of this program on <paramref name="m"/> (with <paramref name="mode"/>, e.g. <see cref="SpeedupOption"/>).</summary>
    public static IReadOnlyList<string> ChildArguments(BenchModel m, int threads, int steps, int warmup, string? mode = null)
    {
        var inv = CultureInfo.InvariantCulture;
        var args = new List<string> { ModelsSuite.Name, ChildOption };
        if (mode is not null) args.Add(mode);
        foreach (var (option, value) in new (string, string?)[]
        {
            ("--model", m.Model), ("--depth", m.Depth?.ToString(inv)), ("--alpha", m.Alpha.ToString(inv)), ("--size", m.Size.ToString(inv)),
            ("--batch-size", m.BatchSize.ToString(inv)), ("--threads", threads.ToString(inv)), ("--steps", steps.ToString(inv)), ("--warmup", warmup.ToString(inv)),
        })
        {
            if (value is null) continue;
            args.Add(option);
            args.Add(value);
        }
        return args;
    }

    /// <summary>Runs <see cref="Measure"/> in a new process of this program and returns its output.</summary>
    private static string RunSelf(BenchModel m, int threads, int steps, int warmup, string? mode = null)
    {
        var psi = BenchProcess();
        psi.RedirectStandardOutput = true;
        psi.RedirectStandardError = true;
        foreach (var a in ChildArguments(m, threads, steps, warmup, mode)) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {psi.FileName}");
        var stderr = p.StandardError.ReadToEndAsync();
        string stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0)
            throw new InvalidOperationException($"the benchmark child ({m.Key}) exited with {p.ExitCode}: {stderr.Result}{stdout}");
        return stdout;
    }

    /// <summary>
    /// How to start this program: through the dotnet host running this process (tests, <c>dotnet
    /// OctaveML.Bench.dll</c>), else its apphost next to OctaveML.Bench.dll (<c>dotnet run</c>), else the
    /// dotnet on the PATH.
    /// </summary>
    internal static ProcessStartInfo BenchProcess()
    {
        string dll = typeof(ModelBenchmark).Assembly.Location;
        string apphost = Path.ChangeExtension(dll, OperatingSystem.IsWindows() ? ".exe" : null);
        string? current = Environment.ProcessPath;
        if (current is not null && Path.GetFileNameWithoutExtension(current) == "dotnet")
            return new ProcessStartInfo(current) { ArgumentList = { dll } };
        if (File.Exists(apphost)) return new ProcessStartInfo(apphost);
        return new ProcessStartInfo("dotnet") { ArgumentList = { dll } };
    }
}
