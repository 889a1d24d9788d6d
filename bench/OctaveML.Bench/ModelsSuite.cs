using System.CommandLine;
using System.CommandLine.Help;
using System.Globalization;

namespace OctaveML.Bench;

/// <summary>
/// The <c>models</c> suite: training and inference images/s and peak memory of a model against the peers on
/// the same model, in the same run (see <see cref="ModelBenchmark"/>): PyTorch and libtorch through the TorchSharp
/// backend, each under the allocator setting its users get; prints <c>figure train_ratio_vs_pytorch_KEY X</c> and
/// <c>figure train_ratio_vs_libtorch_KEY X</c> (peer time / our time: above 1 means OctaveML is faster). First
/// the machine (<c>cpu_model</c>, <c>vector_width_bits</c>) and its FMA peak; per model also the share of that
/// peak the training steps reach, how close they run to the roofline bound, and training peak memory.
/// With no model it runs the default comparisons, which include <c>figure oct_speedup_resnet50_224 X</c>.
/// Usage: <c>OctaveML.Bench models [--model M --depth D --alpha A --size S --batch-size B] [--threads N ...] [--peers pytorch,libtorch] [--libtorch-malloc]</c>,
/// or <c>OctaveML.Bench models --profile MODEL SIZE BATCH [--layers]</c> (see <see cref="ModelProfile"/>).
/// </summary>
public static class ModelsSuite
{
    /// <summary>The suite's name on the command line.</summary>
    public const string Name = "models";

    /// <summary>Exit code of a bad command line.</summary>
    public const int UsageError = SuiteCommand.UsageError;

    /// <summary>Exit code when our figures were printed but a peer could not give its own.</summary>
    public const int PeerFailed = 3;

    /// <summary>Exit code of a libtorch child (<c>--child --backend torchsharp</c>) when libtorch cannot run here; its standard error says why in one line.</summary>
    public const int PeerUnavailable = 4;

    /// <summary>Parses <paramref name="args"/> (what follows the suite name) and runs; returns the process exit code.</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        if (args.Length > 0 && args[0] == "--profile")
        {
            ModelProfile.Run(args[1], Int(args[2]), Int(args[3]), args.Length > 4 && args[4] == "--layers");
            return 0;
        }
        return SuiteCommand.Invoke(Create(output, error), args, output, error);
    }

    private static Command Create(TextWriter output, TextWriter error)
    {
        var options = new ModelOptions();
        var child = new Option<bool>(ModelBenchmark.ChildOption) { Description = "measure our side only, in this process (used by the suite itself)", Hidden = true };
        var speedup = new Option<bool>(ModelBenchmark.SpeedupOption) { Description = "with --child: the model's alpha 0 twin against it, steps alternating (used by the suite itself)", Hidden = true };
        var backend = new Option<string>(ModelBenchmark.BackendOption) { Description = "with --child: managed or torchsharp (used by the suite itself)", Hidden = true, DefaultValueFactory = _ => "managed" };
        var untuned = new Option<bool>(ModelBenchmark.UntunedMallocOption) { Description = "with --child --backend torchsharp: leave glibc's malloc as it is (used by the suite itself)", Hidden = true };
        var libtorchMalloc = new Option<bool>("--libtorch-malloc") { Description = "also measure libtorch with glibc's malloc untouched against the backend's tuned default (alternating processes)" };

        var command = new Command(Name, "Measure training and inference images/s and peak memory of a model against PyTorch and libtorch on the same model.");
        foreach (var o in options.All) command.Options.Add(o);
        foreach (var o in new Option[] { libtorchMalloc, child, speedup, backend, untuned, new HelpOption() }) command.Options.Add(o);
        command.SetAction(r => Run(options.Read(r) with { LibtorchMalloc = r.GetValue(libtorchMalloc) }, r.GetValue(child), r.GetValue(speedup), output, error,
            r.GetValue(backend)!, !r.GetValue(untuned)));
        return command;
    }

    /// <summary>
    /// Runs the suite: 0, or <see cref="PeerFailed"/> after our figures when a peer failed. A child measures
    /// <paramref name="backend"/> (managed, or torchsharp with glibc's malloc tuned by the backend or not:
    /// <paramref name="tuneMalloc"/>) and returns <see cref="PeerUnavailable"/> when libtorch cannot run here.
    /// </summary>
    public static int Run(ModelBenchSettings settings, bool child, bool speedup, TextWriter output, TextWriter error,
        string backend = "managed", bool tuneMalloc = true)
    {
        settings.Validate();
        var configs = settings.Configs();
        if (speedup && !child) throw new ArgumentException($"{ModelBenchmark.SpeedupOption}: only with {ModelBenchmark.ChildOption} (the suite measures the speedup itself when it runs a model and its alpha 0 twin).");
        if (!child && (backend != "managed" || !tuneMalloc))
            throw new ArgumentException($"{ModelBenchmark.BackendOption} and {ModelBenchmark.UntunedMallocOption}: only with {ModelBenchmark.ChildOption} (the suite runs libtorch itself, --peers names it).");
        if (backend is not ("managed" or LibtorchPeer.Backend))
            throw new ArgumentException($"{ModelBenchmark.BackendOption}: got {backend}; expected managed or {LibtorchPeer.Backend}.");
        if (!tuneMalloc && backend != LibtorchPeer.Backend)
            throw new ArgumentException($"{ModelBenchmark.UntunedMallocOption}: only with {ModelBenchmark.BackendOption} {LibtorchPeer.Backend} (our engine leaves malloc alone).");
        if (child)
        {
            if (settings.Model is null) throw new ArgumentException($"{ModelBenchmark.ChildOption}: needs --model.");
            var m = configs[0];
            var (steps, warmup) = (settings.Steps ?? m.DefaultReps.Steps, settings.Warmup ?? m.DefaultReps.Warmup);
            if (backend == LibtorchPeer.Backend)
            {
                if (speedup) throw new ArgumentException($"{ModelBenchmark.SpeedupOption}: measures our engine only, not {ModelBenchmark.BackendOption} {LibtorchPeer.Backend}.");
                try
                {
                    LibtorchPeer.Measure(m, settings.Threads, steps, warmup, tuneMalloc, output);
                }
                catch (Exception e) when (LibtorchPeer.Unavailable(e) is { } reason)
                {
                    error.WriteLine(reason);
                    return PeerUnavailable;
                }
                return 0;
            }
            if (speedup)
            {
                if (m.Alpha == 0) throw new ArgumentException($"{ModelBenchmark.SpeedupOption}: needs an --alpha other than 0 (the model is measured against its alpha 0 twin).");
                ModelBenchmark.MeasureSpeedup(m, settings.Threads, steps, warmup, output);
                return 0;
            }
            ModelBenchmark.Measure(m, settings.Threads, steps, warmup, output);
            return 0;
        }
        var failures = ModelBenchmark.Run(configs, new ModelBenchmarkOptions(settings.Threads, settings.Steps, settings.Warmup, settings.Python,
            settings.PeerList(), settings.LibtorchMalloc), output);
        foreach (var f in failures) error.WriteLine($"error: {f.Peer}: {f.Message}");
        if (failures.Count == 0) return 0;
        error.WriteLine($"error: no {string.Join(" or ", failures.Select(f => f.Peer).Distinct())} figures for some comparisons above; OctaveML's own figures were printed.");
        return PeerFailed;
    }

    private static int Int(string s) => int.Parse(s, CultureInfo.InvariantCulture);
}
