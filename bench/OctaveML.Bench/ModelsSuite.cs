using System.CommandLine;
using System.CommandLine.Help;
using System.Globalization;

namespace OctaveML.Bench;

/// <summary>
/// The <c>models</c> suite: training and inference images/s and peak memory of a model against the PyTorch
/// peer on the same model, in the same run (see <see cref="ModelBenchmark"/>); prints
/// <c>figure train_ratio_vs_pytorch_KEY X</c> (peer time / our time: above 1 means OctaveML is faster). First
/// the machine (<c>cpu_model</c>, <c>vector_width_bits</c>) and its FMA peak; per model also the share of that
/// peak the training steps reach, how close they run to the roofline bound, and training peak memory.
/// With no model it runs the default comparisons, which include <c>figure oct_speedup_resnet50_224 X</c>.
/// Usage: <c>OctaveML.Bench models [--model M --depth D --alpha A --size S --batch-size B] [--threads N ...]</c>,
/// or <c>OctaveML.Bench models --profile MODEL SIZE BATCH [--layers]</c> (see <see cref="ModelProfile"/>).
/// </summary>
public static class ModelsSuite
{
    /// <summary>The suite's name on the command line.</summary>
    public const string Name = "models";

    /// <summary>Exit code of a bad command line.</summary>
    public const int UsageError = SuiteCommand.UsageError;

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
        return SuiteCommand.Invoke(Create(output, error), args, output, error);
    }

    private static Command Create(TextWriter output, TextWriter error)
    {
        var options = new ModelOptions();
        var child = new Option<bool>(ModelBenchmark.ChildOption) { Description = "measure our side only, in this process (used by the suite itself)", Hidden = true };
        var speedup = new Option<bool>(ModelBenchmark.SpeedupOption) { Description = "with --child: the model's alpha 0 twin against it, steps alternating (used by the suite itself)", Hidden = true };

        var command = new Command(Name, "Measure training and inference images/s and peak memory of a model against PyTorch on the same model.");
        foreach (var o in options.All) command.Options.Add(o);
        command.Options.Add(child);
        command.Options.Add(speedup);
        command.Options.Add(new HelpOption());
        command.SetAction(r => Run(options.Read(r), r.GetValue(child), r.GetValue(speedup), output, error));
        return command;
    }

    /// <summary>Runs the suite: 0, or <see cref="PeerFailed"/> after our figures when the peer failed.</summary>
    public static int Run(ModelBenchSettings settings, bool child, bool speedup, TextWriter output, TextWriter error)
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
            ModelBenchmark.Measure(m, settings.Threads, settings.Steps ?? m.DefaultReps.Steps, settings.Warmup ?? m.DefaultReps.Warmup, output);
            return 0;
        }
        var failures = ModelBenchmark.Run(configs, new ModelBenchmarkOptions(settings.Threads, settings.Steps, settings.Warmup, settings.Python), output);
        foreach (var f in failures) error.WriteLine($"error: PyTorch peer: {f.Message}");
        if (failures.Count == 0) return 0;
        error.WriteLine("error: no PyTorch figures for the comparisons above; OctaveML's own figures were printed.");
        return PeerFailed;
    }

    private static int Int(string s) => int.Parse(s, CultureInfo.InvariantCulture);
}
