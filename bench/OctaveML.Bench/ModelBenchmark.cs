using System.Diagnostics;
using System.Globalization;
using OctaveML.Tensors;
using OctaveML.TorchSharp;
using OctaveML.Training;

namespace OctaveML.Bench;

/// <summary>
/// How <see cref="ModelBenchmark.Run"/> measures: threads of every side, timed and warm-up steps (null = per model),
/// the peer's interpreter, whether libtorch (the TorchSharp backend) is measured too, and whether its run with
/// glibc's malloc left as it is is measured against the default (tuned) one.
/// </summary>
public sealed record ModelBenchmarkOptions(int Threads, int? Steps = null, int? Warmup = null, string Python = PythonPeer.DefaultPython,
    bool Libtorch = true, bool LibtorchMalloc = false);

/// <summary>
/// Whole-model training step (forward, cross-entropy, backward, SGD momentum 0.9 step) and inference
/// throughput of the managed engine against libtorch 2.10 (the TorchSharp backend, the peer a C# user
/// would pick, in a session of the same spec) and the PyTorch peer (model_peer.py, the same models from
/// tools/reference/octaveml_ref.py), on random data, same batch and thread count: the <c>models</c> suite.
/// Each side runs in its own process so that peak resident memory belongs to one model only: ours and
/// libtorch's are this program re-run as <c>models --child [--backend torchsharp] ...</c>.
/// </summary>
public static class ModelBenchmark
{
    /// <summary>The hidden option of the <c>models</c> suite that measures one configuration in this process.</summary>
    public const string ChildOption = "--child";

    /// <summary>The hidden option of the <c>models</c> suite that measures a model's alpha 0 twin against it, steps alternating (with <see cref="ChildOption"/>).</summary>
    public const string SpeedupOption = "--speedup";

    /// <summary>The hidden option naming the backend a child measures: managed (default) or torchsharp.</summary>
    public const string BackendOption = "--backend";

    /// <summary>The hidden option of a torchsharp child that leaves glibc's malloc as it is (the backend tunes it by default).</summary>
    public const string UntunedMallocOption = "--untuned-malloc";

    /// <summary>Alternating libtorch runs of each kind behind <c>libtorch_malloc_speedup</c>.</summary>
    private const int MallocRounds = 3;

    /// <summary>
    /// Least number of alternating step pairs behind <c>oct_speedup</c> (a pair is ~2.6 s for ResNet-50 at 224):
    /// medians of 5 pairs spread from 1.48 to 1.60 on one build; 9 narrow that for ~10 s more.
    /// </summary>
    private const int SpeedupPairs = 9;

    /// <summary>The peer script's file name (next to this program).</summary>
    public const string PeerScript = "model_peer.py";

    /// <summary>
    /// Measures every configuration, ours then the peer's, and writes their figures to <paramref name="output"/>;
    /// returns the peer's failures (empty when it ran every configuration). After a failure that means the
    /// peer cannot run here (<see cref="PeerException.Unavailable"/>) only our side is measured.
    /// </summary>
    public static IReadOnlyList<PeerException> Run(IReadOnlyList<BenchModel> configs, ModelBenchmarkOptions options, TextWriter output)
    {
        var inv = CultureInfo.InvariantCulture;
        var failures = new List<PeerException>();
        string script = PythonPeer.Script(PeerScript);
        Figure.Print(output, "models_threads", options.Threads);
        var trainSeconds = new Dictionary<BenchModel, double>();
        foreach (var m in configs)
        {
            string key = m.Key;
            var (steps, warmup) = (options.Steps ?? m.DefaultReps.Steps, options.Warmup ?? m.DefaultReps.Warmup);
            string o = RunSelf(m, options.Threads, steps, warmup);
            double trainS = Figure.Value(o, "train_step_s"), inferS = Figure.Value(o, "infer_step_s"), rss = Figure.Value(o, "peak_rss_mb");
            trainSeconds[m] = trainS;
            output.WriteLine(string.Create(inv,
                $"{key}: {m.Model} depth {m.EffectiveDepth?.ToString(inv) ?? "-"} alpha {m.Alpha}, {m.Size}x{m.Size}, batch {m.BatchSize}, {options.Threads} threads, median of {steps} steps after {warmup} warm-up: OctaveML train {m.BatchSize / trainS:0.0} img/s, infer {m.BatchSize / inferS:0.0} img/s, peak RSS {rss:0} MB"));
            Figure.Print(output, $"train_imgs_per_s_{key}", m.BatchSize / trainS);
            Figure.Print(output, $"infer_imgs_per_s_{key}", m.BatchSize / inferS);
            Figure.Print(output, $"peak_rss_mb_{key}", rss);
            if (options.Libtorch && !failures.Any(f => f.Unavailable && f.Peer == LibtorchPeer))
            {
                try { MeasureLibtorch(m, options, steps, warmup, o, output); }
                catch (PeerException e) { failures.Add(e); }
            }
            if (failures.Any(f => f.Unavailable && f.Peer != LibtorchPeer)) continue;
            string p;
            try
            {
                p = PythonPeer.Run(options.Python, script, m.PeerName, m.Size.ToString(inv), options.Threads.ToString(inv),
                    m.BatchSize.ToString(inv), steps.ToString(inv), warmup.ToString(inv), m.Alpha.ToString(inv));
            }
            catch (PeerException e)
            {
                failures.Add(e);
                continue;
            }
            double trainT = Figure.Value(p, "train_step_s"), inferT = Figure.Value(p, "infer_step_s"), rssT = Figure.Value(p, "peak_rss_mb");
            output.WriteLine(string.Create(inv,
                $"{key}: PyTorch {TorchVersion(p)} train {m.BatchSize / trainT:0.0} img/s, infer {m.BatchSize / inferT:0.0} img/s, peak RSS {rssT:0} MB"));
            Figure.Print(output, $"train_imgs_per_s_pytorch_{key}", m.BatchSize / trainT);
            Figure.Print(output, $"infer_imgs_per_s_pytorch_{key}", m.BatchSize / inferT);
            Figure.Print(output, $"train_ratio_vs_pytorch_{key}", trainT / trainS);
            Figure.Print(output, $"infer_ratio_vs_pytorch_{key}", inferT / inferS);
            Figure.Print(output, $"peak_rss_mb_pytorch_{key}", rssT);
            Figure.Print(output, $"train_peak_rss_ratio_vs_pytorch_{key}", rss / rssT);
        }
        // What octave convolution buys: the alpha 0 model's step time over the alpha 0.5 one's, measured
        // in one process with the two models' steps alternating, so that both see the same machine load.
        foreach (var oct in trainSeconds.Keys)
            if (oct.Alpha == 0.5 && trainSeconds.ContainsKey(oct with { Alpha = 0 }))
            {
                var (steps, warmup) = (options.Steps ?? oct.DefaultReps.Steps, options.Warmup ?? oct.DefaultReps.Warmup);
                int pairs = Math.Max(steps, SpeedupPairs);
                string o = RunSelf(oct, options.Threads, pairs, warmup, SpeedupOption);
                double plainS = Figure.Value(o, "plain_step_s"), octS = Figure.Value(o, "oct_step_s");
                output.WriteLine(string.Create(inv,
                    $"{(oct with { Alpha = 0 }).Key} / {oct.Key}: steps alternating in one process, {pairs} pairs after {warmup} warm-up: alpha 0 {plainS * 1e3:0} ms, alpha 0.5 {octS * 1e3:0} ms (medians)"));
                Figure.Print(output, $"oct_speedup_{(oct with { Alpha = 0 }).Key}", Figure.Value(o, "speedup"));
            }
        return failures;
    }

    /// <summary>The name libtorch's failures go by.</summary>
    public const string LibtorchPeer = "libtorch";

    /// <summary>
    /// libtorch's figures beside ours (<c>train_ratio_vs_libtorch_KEY</c>: libtorch's step time over ours, above
    /// 1 means the managed engine is faster); with <see cref="ModelBenchmarkOptions.LibtorchMalloc"/>, libtorch with
    /// glibc's malloc untouched against tuned, in alternating processes.
    /// </summary>
    private static void MeasureLibtorch(BenchModel m, ModelBenchmarkOptions options, int steps, int warmup, string managed, TextWriter output)
    {
        var inv = CultureInfo.InvariantCulture;
        string key = m.Key;
        double trainS = Figure.Value(managed, "train_step_s"), inferS = Figure.Value(managed, "infer_step_s"), rss = Figure.Value(managed, "peak_rss_mb");
        string l = RunLibtorch(m, options.Threads, steps, warmup, tuned: true);
        double trainL = Figure.Value(l, "train_step_s"), inferL = Figure.Value(l, "infer_step_s"), rssL = Figure.Value(l, "peak_rss_mb");
        double cpuS = Figure.Value(managed, "train_cpu_s"), cpuL = Figure.Value(l, "train_cpu_s");
        output.WriteLine(string.Create(inv,
            $"{key}: TorchSharp backend, {LibtorchDescription(l)}: train {m.BatchSize / trainL:0.0} img/s, infer {m.BatchSize / inferL:0.0} img/s, peak RSS {rssL:0} MB; " +
            $"CPU time per train step: OctaveML {cpuS * 1e3:0} ms, libtorch {cpuL * 1e3:0} ms"));
        Figure.Print(output, $"train_imgs_per_s_libtorch_{key}", m.BatchSize / trainL);
        Figure.Print(output, $"infer_imgs_per_s_libtorch_{key}", m.BatchSize / inferL);
        Figure.Print(output, $"train_ratio_vs_libtorch_{key}", trainL / trainS);
        Figure.Print(output, $"infer_ratio_vs_libtorch_{key}", inferL / inferS);
        Figure.Print(output, $"peak_rss_mb_libtorch_{key}", rssL);
        Figure.Print(output, $"train_peak_rss_ratio_vs_libtorch_{key}", rss / rssL);
        Figure.Print(output, $"train_cpu_ratio_vs_libtorch_{key}", cpuL / cpuS);
        if (!options.LibtorchMalloc) return;
        // Process-wide and one-way (mallopt), so each setting gets its own processes, alternating against load drift.
        var tuned = new List<string> { l };
        var untuned = new List<string>();
        for (int r = 0; r < MallocRounds; r++)
        {
            untuned.Add(RunLibtorch(m, options.Threads, steps, warmup, tuned: false));
            if (r < MallocRounds - 1) tuned.Add(RunLibtorch(m, options.Threads, steps, warmup, tuned: true));
        }
        double Med(List<string> runs, string figure) => Figure.Median(runs.Select(o => Figure.Value(o, figure)).ToArray());
        double wallT = Med(tuned, "train_step_s"), wallU = Med(untuned, "train_step_s");
        double cpuT = Med(tuned, "train_cpu_s"), cpuU = Med(untuned, "train_cpu_s");
        output.WriteLine(string.Create(inv,
            $"{key}: libtorch train step, glibc malloc tuned / untouched (medians of {tuned.Count} / {untuned.Count} alternating processes): " +
            $"wall {wallT * 1e3:0} / {wallU * 1e3:0} ms, CPU {cpuT * 1e3:0} / {cpuU * 1e3:0} ms, minor page faults {Med(tuned, "train_minor_faults"):0} / {Med(untuned, "train_minor_faults"):0}, " +
            $"peak RSS {Med(tuned, "peak_rss_mb"):0} / {Med(untuned, "peak_rss_mb"):0} MB"));
        Figure.Print(output, $"libtorch_malloc_speedup_{key}", wallU / wallT);
        Figure.Print(output, $"libtorch_malloc_cpu_speedup_{key}", cpuU / cpuT);
        Figure.Print(output, $"peak_rss_mb_libtorch_untuned_malloc_{key}", Med(untuned, "peak_rss_mb"));
    }

    private static string RunLibtorch(BenchModel m, int threads, int steps, int warmup, bool tuned)
    {
        try { return RunSelf(m, threads, steps, warmup, null, "torchsharp", tuned); }
        catch (InvalidOperationException e)
        {
            bool unavailable = e.Message.Contains("TypeInitializationException", StringComparison.Ordinal) || e.Message.Contains("DllNotFoundException", StringComparison.Ordinal);
            throw new PeerException(e.Message.ReplaceLineEndings(" ").Trim(), unavailable, e.Message, LibtorchPeer);
        }
    }

    private static string LibtorchDescription(string childOutput)
    {
        var line = childOutput.Split('\n').FirstOrDefault(l => l.StartsWith("backend ", StringComparison.Ordinal));
        return line is null ? "" : line["backend ".Length..].Trim();
    }

    private static string TorchVersion(string peerOutput)
    {
        var line = peerOutput.Split('\n').FirstOrDefault(l => l.StartsWith("torch_version ", StringComparison.Ordinal));
        return line is null ? "" : line["torch_version ".Length..].Trim() + ":";
    }

    /// <summary>
    /// Measures <paramref name="m"/> in this process on <paramref name="backend"/> ("managed" or "torchsharp";
    /// <paramref name="tuneMalloc"/> is the TorchSharp backend's allocator setting) and writes "key value" lines (the child side).
    /// </summary>
    public static void Measure(BenchModel m, int threads, int steps, int warmup, TextWriter output, string backend = "managed", bool tuneMalloc = true)
    {
        using var run = new TrainingStep(m, Backend(backend, threads, tuneMalloc));
        for (int i = 0; i < warmup; i++) run.Step();
        var start = ProcessCounters.Now();
        double train = Figure.MedianSeconds(run.Step, steps, warmup: 0);
        var spent = ProcessCounters.Now().Since(start);
        double infer = Figure.MedianSeconds(run.Infer, steps, warmup);
        var inv = CultureInfo.InvariantCulture;
        output.WriteLine($"backend {run.Session.Description}");
        output.WriteLine(string.Create(inv, $"train_step_s {train}"));
        output.WriteLine(string.Create(inv, $"train_cpu_s {spent.CpuSeconds / steps}"));
        output.WriteLine(string.Create(inv, $"train_minor_faults {spent.MinorFaults / steps}"));
        output.WriteLine(string.Create(inv, $"infer_step_s {infer}"));
        output.WriteLine(string.Create(inv, $"loss {run.Loss}"));
        output.WriteLine(string.Create(inv, $"peak_rss_mb {Process.GetCurrentProcess().PeakWorkingSet64 / 1e6}"));
        var gc = GC.GetGCMemoryInfo(GCKind.Any);
        output.WriteLine(string.Create(inv, $"gc_peak_committed_mb {gc.TotalCommittedBytes / 1e6}"));
        output.WriteLine(string.Create(inv, $"gc_heap_mb {gc.HeapSizeBytes / 1e6}"));
        output.WriteLine(string.Create(inv, $"parameters_mb {run.Session.Gradients().Values.Sum(g => (long)g.Length) * 4 / 1e6}"));
    }

    /// <summary>The backend a child measures.</summary>
    public static ITrainingBackend Backend(string name, int threads, bool tuneMalloc = true) => name switch
    {
        "managed" => new ManagedBackend(threads),
        "torchsharp" => new TorchSharpBackend(threads: threads) { TuneAllocator = tuneMalloc },
        _ => throw new ArgumentException($"{BackendOption}: got {name}; expected managed or torchsharp."),
    };

    /// <summary>
    /// The training step of <paramref name="oct"/>'s alpha 0 twin against its own, in this process: after
    /// <paramref name="warmup"/> untimed steps of each, <paramref name="pairs"/> pairs of one step of each,
    /// alternating (which runs first alternates too). Writes the median step times and the median of the
    /// pairs' time ratios (alpha 0 / alpha 0.5), which cancels load that drifts slower than a pair.
    /// </summary>
    public static void MeasureSpeedup(BenchModel oct, int threads, int pairs, int warmup, TextWriter output)
    {
        var backend = new ManagedBackend(threads);
        using var plain = new TrainingStep(oct with { Alpha = 0 }, backend);
        using var octave = new TrainingStep(oct, backend);
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

    /// <summary>The peer's recipe: SGD, learning rate 0.01, momentum 0.9, no weight decay.</summary>
    private static readonly TrainerOptions Recipe = new() { Optimizer = OptimizerKind.Sgd, LearningRate = 0.01, Momentum = 0.9, WeightDecay = 0 };

    /// <summary>
    /// One model's training step (forward, cross-entropy, backward, SGD momentum 0.9) on fixed random data, as the
    /// peer's, through a backend's session (weights seed 0).
    /// </summary>
    private sealed class TrainingStep : IDisposable
    {
        private readonly Tensor _x;
        private readonly int[] _labels;

        public TrainingStep(BenchModel m, ITrainingBackend backend)
        {
            int batch = m.BatchSize;
            Session = backend.CreateSession(m.Spec, Recipe, seed: 0);
            var rng = new Rng(0);
            _x = new Tensor(batch, BenchModel.InChannels, m.Size, m.Size);
            rng.FillNormal(_x.Data, 0, 1);
            _labels = new int[batch];
            for (int i = 0; i < batch; i++) _labels[i] = rng.NextInt(BenchModel.Classes);
        }

        public ITrainingSession Session { get; }
        public float Loss { get; private set; }

        public void Step()
        {
            Loss = Session.ForwardBackward(_x, _labels).Loss;
            Session.Step(Recipe.LearningRate);
        }

        public void Infer() => Session.Predict(_x);

        public void Dispose() => Session.Dispose();
    }

    /// <summary>Runs <see cref="Measure"/> in a new process of this program and returns its output.</summary>
    private static string RunSelf(BenchModel m, int threads, int steps, int warmup, string? mode = null, string backend = "managed", bool tuneMalloc = true)
    {
        var psi = BenchProcess();
        psi.RedirectStandardOutput = true;
        psi.RedirectStandardError = true;
        var inv = CultureInfo.InvariantCulture;
        psi.ArgumentList.Add(ModelsSuite.Name);
        psi.ArgumentList.Add(ChildOption);
        if (mode is not null) psi.ArgumentList.Add(mode);
        if (!tuneMalloc) psi.ArgumentList.Add(UntunedMallocOption);
        foreach (var (option, value) in new (string, string?)[]
        {
            ("--model", m.Model), ("--depth", m.Depth?.ToString(inv)), ("--alpha", m.Alpha.ToString(inv)), ("--size", m.Size.ToString(inv)),
            ("--batch-size", m.BatchSize.ToString(inv)), ("--threads", threads.ToString(inv)), ("--steps", steps.ToString(inv)), ("--warmup", warmup.ToString(inv)),
            (BackendOption, backend),
        })
        {
            if (value is null) continue;
            psi.ArgumentList.Add(option);
            psi.ArgumentList.Add(value);
        }
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {psi.FileName}");
        var stderr = p.StandardError.ReadToEndAsync();
        string stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0)
            throw new InvalidOperationException($"the benchmark child ({m.Key}, {backend}) exited with {p.ExitCode}: {stderr.Result}{stdout}");
        return stdout;
    }

    /// <summary>
    /// How to start this program: through the dotnet host running this process (tests, <c>dotnet
    /// OctaveML.Bench.dll</c>), else its apphost next to OctaveML.Bench.dll (<c>dotnet run</c>), else the
    /// dotnet on the PATH.
    /// </summary>
    private static ProcessStartInfo BenchProcess()
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
