using System.CommandLine;
using System.CommandLine.Help;
using System.Globalization;

namespace OctaveML.Bench;

/// <summary>
/// The <c>speed</c> suite: every figure of issue 16 in one run, side by side. The machine and its FMA peak;
/// for each model our training and inference images/s, share of the FMA peak (and roofline), training peak
/// memory; each peer under each allocator setting and <c>train_ratio_vs_best_peer_KEY</c> against the fastest;
/// the octave speedup (alternating steps); ONNX Runtime inference of each exported model beside ours and its
/// octave speedup; the NuGet consumer's speed over the bench's; last, each target met or missed.
/// Usage: <c>OctaveML.Bench speed [--model M ... as models] [--peers pytorch,libtorch] [--mallocs default_malloc,glibc_tuned,jemalloc]
/// [--onnx-runs R] [--consumer-rounds R] [--best-peer-rounds R]</c>. The best peer is measured again after the first pass
/// in R rounds that alternate its process with ours, and its ratio is the median of the rounds' ratios (the first pass
/// included): picking the fastest of several noisy runs alone would favour a peer's lucky run.
/// </summary>
public static class SpeedSuite
{
    /// <summary>The suite's name on the command line.</summary>
    public const string Name = "speed";

    /// <summary>The model the consumer figure times when it is measured.</summary>
    private static readonly BenchModel ConsumerModel = new("oct-resnet", 50, 0.5, 224, 16);

    /// <summary>Parses <paramref name="args"/> and runs; returns the process exit code (<see cref="ModelsSuite.PeerFailed"/> when a peer failed).</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        var models = new ModelOptions();
        var defaults = new SpeedSettings();
        var mallocs = new Option<string>("--mallocs") { Description = $"comma-separated allocator settings every peer runs under: {string.Join(", ", MallocSetting.Names)}", DefaultValueFactory = _ => defaults.Mallocs };
        var onnxRuns = new Option<int>("--onnx-runs") { Description = "alternating ONNX Runtime / OctaveML inference runs a model (0 skips ONNX Runtime)", DefaultValueFactory = _ => defaults.OnnxRuns };
        var consumerRounds = new Option<int>("--consumer-rounds") { Description = "alternating bench / NuGet consumer app rounds (0 skips packing and the consumer figure)", DefaultValueFactory = _ => defaults.ConsumerRounds };
        var bestPeerRounds = new Option<int>("--best-peer-rounds") { Description = "further rounds alternating our process and the fastest peer's behind train_ratio_vs_best_peer", DefaultValueFactory = _ => defaults.BestPeerRounds };
        var command = new Command(Name, "Every figure of the speed targets in one run: peak fractions, peers at their best allocator, octave speedups, ONNX Runtime, the NuGet consumer.");
        foreach (var o in models.All) command.Options.Add(o);
        foreach (var o in new Option[] { mallocs, onnxRuns, consumerRounds, bestPeerRounds, new HelpOption() }) command.Options.Add(o);
        command.SetAction(r => Run(models.Read(r), new SpeedSettings
        {
            Mallocs = r.GetValue(mallocs)!, OnnxRuns = r.GetValue(onnxRuns), ConsumerRounds = r.GetValue(consumerRounds),
            BestPeerRounds = r.GetValue(bestPeerRounds),
        }, output, error));
        return SuiteCommand.Invoke(command, args, output, error);
    }

    /// <summary>Runs the suite with validated settings (an <see cref="ArgumentException"/> names a bad option).</summary>
    public static int Run(ModelBenchSettings settings, SpeedSettings speed, TextWriter output, TextWriter error)
    {
        settings.Validate();
        speed.Validate();
        var peers = settings.PeerList();
        var mallocs = MallocSetting.Parse(SpeedSettings.List(speed.Mallocs));
        var configs = settings.Configs();
        var record = new RecordingWriter(output);
        var inv = CultureInfo.InvariantCulture;
        int threads = settings.Threads;
        (int Steps, int Warmup) Reps(BenchModel m) => (settings.Steps ?? m.DefaultReps.Steps, settings.Warmup ?? m.DefaultReps.Warmup);

        Machine.PrintHeader(record, threads);
        Figure.Print(record, "speed_threads", threads);
        record.WriteLine($"peers: {string.Join(", ", peers.Select(p => p.Name))}; allocator settings: {string.Join("; ", mallocs.Select(m => $"{m.Name} ({m.Description})"))}");
        foreach (var peer in peers.Where(p => mallocs.Any(m => p.DescribeMalloc(m) != m.Description)))
            record.WriteLine($"{peer.Name} under them: {string.Join("; ", mallocs.Select(m => $"{m.Name}: {peer.DescribeMalloc(m)}"))}");

        var failures = new List<(string Peer, PeerException Error)>();
        foreach (var m in configs)
        {
            var (steps, warmup) = Reps(m);
            var ours = ModelBenchmark.MeasureOurs(m, threads, steps, warmup, record);
            var runs = new List<PeerRun>();
            foreach (var peer in peers)
                foreach (var malloc in mallocs)
                {
                    if (failures.Any(f => f.Error.Unavailable && f.Peer == peer.Name)) break;
                    try { runs.Add(peer.Run(m, malloc, threads, steps, warmup)); }
                    catch (PeerException e) { failures.Add((peer.Name, e)); continue; }
                    PrintPeerRun(m, runs[^1], ours.TrainStepSeconds, record);
                }
            if (BestPeer.Fastest(runs) is { } best)
            {
                var peer = peers.First(p => p.Name == best.Peer);
                List<double> ourSeconds = [ours.TrainStepSeconds], peerSeconds = [best.TrainStepSeconds];
                for (int round = 0; round < speed.BestPeerRounds; round++)
                {
                    // Who goes first alternates, so neither side always runs after the other.
                    double Ours() => ModelBenchmark.MeasureOursQuietly(m, threads, steps, warmup).TrainStepSeconds;
                    double Peer() => peer.Run(m, best.Malloc, threads, steps, warmup).TrainStepSeconds;
                    try
                    {
                        if (round % 2 == 0) { peerSeconds.Add(Peer()); ourSeconds.Add(Ours()); }
                        else { ourSeconds.Add(Ours()); peerSeconds.Add(Peer()); }
                    }
                    catch (PeerException e) { failures.Add((peer.Name, e)); break; }
                }
                int n = Math.Min(ourSeconds.Count, peerSeconds.Count);
                double ratio = BestPeer.MedianRatio(peerSeconds[..n], ourSeconds[..n]);
                record.WriteLine(string.Create(inv,
                    $"{m.Key}: fastest peer {best.Title}; {n} alternating rounds of it and OctaveML: {m.BatchSize / Figure.Median([.. peerSeconds]):0.0} img/s, " +
                    $"OctaveML {m.BatchSize / Figure.Median([.. ourSeconds]):0.0} img/s (medians); median of the rounds' ratios {ratio:0.##}x"));
                Figure.Print(record, $"train_ratio_vs_best_peer_{m.Key}", ratio);
            }
        }

        // The octave saving on a quiet machine and beside one other busy process (the issue asks for both).
        foreach (var oct in configs.Where(c => c.Alpha != 0 && (configs.Count == 1 || configs.Contains(c with { Alpha = 0 }))))
            foreach (bool underLoad in new[] { false, true })
                ModelBenchmark.MeasureOctSpeedup(oct, new ModelBenchmarkOptions(threads, settings.Steps, settings.Warmup, settings.Python), record, underLoad);

        // With each pair's ONNX Runtime profile (the JSON files stay, the optimised graphs are not written): the
        // convolution-only ratio says what bounds ort_oct_speedup.
        if (speed.OnnxRuns > 0)
            OnnxSuite.Compare(configs, threads, speed.OnnxRuns, record, Directory.CreateTempSubdirectory("octaveml-ort-profile.").FullName, optimizedGraphs: false);

        if (speed.ConsumerRounds > 0)
        {
            var cm = configs.Contains(ConsumerModel) ? ConsumerModel : configs[0];
            var (steps, warmup) = Reps(cm);
            ConsumerBench.Run(cm, threads, steps, warmup, speed.ConsumerRounds, record);
        }

        var figures = SpeedTarget.Figures(record.Text);
        foreach (var t in SpeedTarget.Issue16) output.WriteLine(t.Describe(figures.TryGetValue(t.Figure, out double v) ? v : null));

        foreach (var (peer, e) in failures) error.WriteLine($"error: {peer} peer: {e.Message}");
        return failures.Count == 0 ? 0 : ModelsSuite.PeerFailed;
    }

    /// <summary>One peer run's line and figures: img/s, and our training speed over it (<c>train_ratio_vs_PEER_MALLOC_KEY</c>).</summary>
    private static void PrintPeerRun(BenchModel m, PeerRun p, double ourTrainSeconds, TextWriter output)
    {
        string tag = $"{p.Peer}_{p.Malloc.Name}_{m.Key}";
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{m.Key}: {p.Title}: train {m.BatchSize / p.TrainStepSeconds:0.0} img/s, infer {m.BatchSize / p.InferStepSeconds:0.0} img/s, peak RSS {p.PeakRssMb:0} MB"));
        Figure.Print(output, $"train_imgs_per_s_{tag}", m.BatchSize / p.TrainStepSeconds);
        Figure.Print(output, $"train_ratio_vs_{tag}", BestPeer.TrainRatio(p, ourTrainSeconds));
        Figure.Print(output, $"peak_rss_mb_{tag}", p.PeakRssMb);
    }
}
