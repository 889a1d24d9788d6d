using System.Globalization;
using OctaveML.Threading;

namespace OctaveML.Bench;

/// <summary>
/// The measurement behind <c>consumer_over_bench</c>: a model's training steps timed in this process. The
/// bench runs it as the hidden suite <c>step-timing</c>; the NuGet consumer app (nuget/bench-consumer)
/// compiles this file, <see cref="ModelTrainingStep"/>, <see cref="BenchModel"/> and <see cref="Figure"/>
/// against the packed package and runs the same code, so only the build and the runtime settings differ.
/// Arguments: MODEL DEPTH|- ALPHA SIZE BATCH THREADS STEPS WARMUP.
/// </summary>
public static class StepTiming
{
    /// <summary>The hidden suite's name.</summary>
    public const string Suite = "step-timing";

    /// <summary>The runtime settings that tell a consumer's app from the bench (unset: the runtime's default).</summary>
    private static readonly string[] RuntimeSettings =
        ["System.Runtime.TieredPGO", "System.Runtime.TieredCompilation.QuickJitForLoops", "System.Runtime.TieredCompilation", "System.GC.Server"];

    /// <summary>The arguments that time <paramref name="m"/>.</summary>
    public static string[] Arguments(BenchModel m, int threads, int steps, int warmup)
    {
        var inv = CultureInfo.InvariantCulture;
        return [m.Model, m.Depth?.ToString(inv) ?? "-", m.Alpha.ToString(inv), m.Size.ToString(inv), m.BatchSize.ToString(inv),
            threads.ToString(inv), steps.ToString(inv), warmup.ToString(inv)];
    }

    /// <summary>Times the steps the arguments describe and writes <c>train_step_s</c> and the runtime settings; 2 on bad arguments.</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        if (args.Length != 8)
        {
            error.WriteLine($"error: {Suite}: expected MODEL DEPTH|- ALPHA SIZE BATCH THREADS STEPS WARMUP, got {args.Length} arguments.");
            return 2;
        }
        var inv = CultureInfo.InvariantCulture;
        int Int(int i) => int.Parse(args[i], inv);
        var m = new BenchModel(args[0], args[1] == "-" ? null : Int(1), double.Parse(args[2], inv), Int(3), Int(4));
        int threads = Int(5), steps = Int(6), warmup = Int(7);
        Parallelism.Threads = threads;
        var step = new ModelTrainingStep(m.Create(), m.BatchSize, m.Size);
        for (int i = 0; i < warmup; i++) step.Step();
        var wall = new double[steps];
        var cpu = new double[steps];
        using var process = System.Diagnostics.Process.GetCurrentProcess();
        for (int i = 0; i < steps; i++)
        {
            process.Refresh();
            var cpu0 = process.TotalProcessorTime;
            wall[i] = Figure.Seconds(step.Step);
            process.Refresh();
            cpu[i] = (process.TotalProcessorTime - cpu0).TotalSeconds;
        }
        output.WriteLine(string.Create(inv, $"train_step_s {Figure.Median(wall)}"));
        // Processor time of the whole process a step (all threads): less moved by neighbours than wall time.
        output.WriteLine(string.Create(inv, $"train_step_cpu_s {Figure.Median(cpu)}"));
        output.WriteLine("runtime " + string.Join(" ", RuntimeSettings.Select(s => $"{s}={AppContext.GetData(s) ?? "default"}")));
        return 0;
    }
}
