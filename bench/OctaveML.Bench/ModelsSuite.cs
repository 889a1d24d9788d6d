using System.CommandLine;
using System.CommandLine.Help;
using System.Globalization;
using System.Text.RegularExpressions;

namespace OctaveML.Bench;

/// <summary>
/// The <c>models</c> suite: training and inference images/s and peak memory of a model against libtorch (the
/// TorchSharp backend) and the PyTorch peer on the same model, in the same run (see <see cref="ModelBenchmark"/>);
/// prints <c>figure train_ratio_vs_libtorch_KEY X</c> and <c>figure train_ratio_vs_pytorch_KEY X</c> (peer time /
/// our time: above 1 means OctaveML is faster).
/// With no model it runs the default comparisons, which include <c>figure oct_speedup_resnet50_224 X</c>.
/// Usage: <c>OctaveML.Bench models [--model M --depth D --alpha A --size S --batch-size B] [--threads N ...]</c>,
/// or <c>OctaveML.Bench models --profile MODEL SIZE BATCH [--layers]</c> (see <see cref="ModelProfile"/>).
/// </summary>
public static class ModelsSuite
{
    /// <summary>The suite's name on the command line.</summary>
    public const string Name = "models";

    /// <summary>Exit code of a bad command line.</summary>
    public const int UsageError = 2;

    /// <summary>Exit code when our figures were printed but the PyTorch peer could not give its own.</summary>
    public const int PeerFailed = 3;

    /// <summary>Parses <paramref name="args"/> (what follows the suite name) and runs; returns the process exit code.</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        if (args.Length > 0 && args[0] == "--profile")
        {
            ModelProfile.Run(args[1], Int(args[2]), Int(args[3]), args.Length > 4 && args[4] == "--layers");
            return 0;
        }
        var command = Create(output, error);
        var parsed = command.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            error.WriteLine($"error: {Friendly(parsed.Errors[0].Message)}");
            return UsageError;
        }
        return parsed.Invoke(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false });
    }

    private static Command Create(TextWriter output, TextWriter error)
    {
        var model = new Option<string?>("--model") { Description = "oct-resnet | oct-cifar-resnet | oct-mobilenet (default: the comparisons oct_resnet50 and resnet50 at 224 batch 16, oct_mobilenet 224 batch 16, oct_resnet20 28 batch 128)" };
        var depth = new Option<int?>("--depth") { Description = "network depth (oct-cifar-resnet: 20, 32, 44, 56, 110, default 20; oct-resnet: 26, 50, 101, 152, 200, default 26)" };
        var alpha = new Option<double?>("--alpha") { Description = "low-frequency share of the channels, in [0, 1) (default 0.5; 0 is the plain network)" };
        var size = new Option<int?>("--size") { Description = "input side (default 28 for oct-cifar-resnet, 224 otherwise)" };
        var batch = new Option<int?>("--batch-size") { Description = "images per step (default 128 for oct-cifar-resnet, 16 otherwise)" };
        var threads = new Option<int>("--threads") { Description = "compute threads of both sides", DefaultValueFactory = _ => ModelBenchSettings.DefaultThreads };
        var steps = new Option<int?>("--steps") { Description = "timed steps, the median is reported (default 3 for ResNet-50 and deeper at 160 px or more, else 5)" };
        var warmup = new Option<int?>("--warmup") { Description = "untimed steps before timing (default 1 with 3 steps, else 2)" };
        var python = new Option<string>("--python") { Description = "interpreter of the PyTorch peer (needs torch)", DefaultValueFactory = _ => PythonPeer.DefaultPython };
        var child = new Option<bool>(ModelBenchmark.ChildOption) { Description = "measure our side only, in this process (used by the suite itself)", Hidden = true };
        var speedup = new Option<bool>(ModelBenchmark.SpeedupOption) { Description = "with --child: the model's alpha 0 twin against it, steps alternating (used by the suite itself)", Hidden = true };
        var backend = new Option<string>(ModelBenchmark.BackendOption) { Description = "with --child: managed or torchsharp (used by the suite itself)", Hidden = true, DefaultValueFactory = _ => "managed" };
        var untuned = new Option<bool>(ModelBenchmark.UntunedMallocOption) { Description = "with --child --backend torchsharp: leave glibc's malloc as it is (used by the suite itself)", Hidden = true };
        var libtorch = new Option<bool>("--libtorch") { Description = "also measure libtorch 2.10 through the TorchSharp backend", DefaultValueFactory = _ => true };
        var libtorchMalloc = new Option<bool>("--libtorch-malloc") { Description = "also measure libtorch with glibc's malloc untouched against the backend's tuned setting (alternating processes)" };

        var command = new Command(Name, "Measure training and inference images/s and peak memory of a model against PyTorch on the same model.")
        {
            model, depth, alpha, size, batch, threads, steps, warmup, python, libtorch, libtorchMalloc, child, speedup, backend, untuned, new HelpOption(),
        };
        command.SetAction(r =>
        {
            try
            {
                return Run(new ModelBenchSettings
                {
                    Model = r.GetValue(model), Depth = r.GetValue(depth), Alpha = r.GetValue(alpha), Size = r.GetValue(size),
                    BatchSize = r.GetValue(batch), Threads = r.GetValue(threads), Steps = r.GetValue(steps), Warmup = r.GetValue(warmup),
                    Python = r.GetValue(python)!, Libtorch = r.GetValue(libtorch), LibtorchMalloc = r.GetValue(libtorchMalloc),
                }, r.GetValue(child), r.GetValue(speedup), output, error, r.GetValue(backend)!, !r.GetValue(untuned));
            }
            catch (ArgumentException e)
            {
                error.WriteLine($"error: {OneLine(e.Message)}");
                return UsageError;
            }
        });
        return command;
    }

    /// <summary>Runs the suite: 0, or <see cref="PeerFailed"/> after our figures when the peer failed.</summary>
    public static int Run(ModelBenchSettings settings, bool child, bool speedup, TextWriter output, TextWriter error,
        string backend = "managed", bool tuneMalloc = true)
    {
        settings.Validate();
        var configs = settings.Configs();
        if (speedup && !child) throw new ArgumentException($"{ModelBenchmark.SpeedupOption}: only with {ModelBenchmark.ChildOption} (the suite measures the speedup itself when it runs a model and its alpha 0 twin).");
        if (child)
        {
            if (settings.Model is null) throw new ArgumentException($"{ModelBenchmark.ChildOption}: needs --model.");
            var m = configs[0];
            if (speedup)
            {
                if (m.Alpha == 0) throw new ArgumentException($"{ModelBenchmark.SpeedupOption}: needs an --alpha other than 0 (the model is measured against its alpha 0 twin).");
                ModelBenchmark.MeasureSpeedup(m, settings.Threads, settings.Steps ?? m.DefaultReps.Steps, settings.Warmup ?? m.DefaultReps.Warmup, output);
                return 0;
            }
            ModelBenchmark.Measure(m, settings.Threads, settings.Steps ?? m.DefaultReps.Steps, settings.Warmup ?? m.DefaultReps.Warmup, output, backend, tuneMalloc);
            return 0;
        }
        var failures = ModelBenchmark.Run(configs, new ModelBenchmarkOptions(settings.Threads, settings.Steps, settings.Warmup, settings.Python,
            settings.Libtorch, settings.LibtorchMalloc), output);
        foreach (var f in failures) error.WriteLine($"error: {f.Peer}: {f.Message}");
        if (failures.Count == 0) return 0;
        error.WriteLine($"error: no {string.Join(" or ", failures.Select(f => f.Peer).Distinct())} figures for some comparisons above; OctaveML's own figures were printed.");
        return PeerFailed;
    }

    /// <summary>Turns "as expected type 'System.Nullable`1[System.Int32]'" into "; expected an integer".</summary>
    private static string Friendly(string message) =>
        Regex.Replace(OneLine(message), @" as expected type '([^']+)'\.?", m =>
            m.Groups[1].Value.Contains("Int32") ? "; expected an integer." :
            m.Groups[1].Value.Contains("Double") ? "; expected a number." :
            m.Groups[1].Value.Contains("Boolean") ? "; expected true or false." : m.Value);

    private static string OneLine(string message) => message.ReplaceLineEndings(" ").Trim();

    private static int Int(string s) => int.Parse(s, CultureInfo.InvariantCulture);
}
