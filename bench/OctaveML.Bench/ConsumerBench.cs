using System.Diagnostics;
using System.Globalization;

namespace OctaveML.Bench;

/// <summary>One side's median step of one child process: wall time and processor time of the whole process.</summary>
public readonly record struct StepTimes(double Seconds, double CpuSeconds);

/// <summary>The bench's and the consumer app's step times, round by round, and the runtime settings each reported.</summary>
public sealed record ConsumerComparison(IReadOnlyList<StepTimes> Bench, IReadOnlyList<StepTimes> Consumer, string BenchRuntime, string ConsumerRuntime)
{
    /// <summary>
    /// <c>consumer_over_bench</c>: the median over rounds of the bench's step time over the consumer's, i.e.
    /// the consumer's speed as a share of the bench's (1 = the same, below 0.95 = more than 5% slower).
    /// </summary>
    public double ConsumerOverBench => Figure.Median([.. Bench.Zip(Consumer, (b, c) => b.Seconds / c.Seconds)]);

    /// <summary>The same on processor time (all threads, JIT included): less moved by neighbours on a shared machine.</summary>
    public double ConsumerOverBenchCpu => Figure.Median([.. Bench.Zip(Consumer, (b, c) => b.CpuSeconds / c.CpuSeconds)]);
}

/// <summary>
/// The speed a NuGet user gets: packs OctaveML and builds a fresh console app on the package
/// (nuget/consumer-app.sh with nuget/bench-consumer and the bench's <see cref="StepTiming"/> sources), then
/// times the same training steps in alternating child processes of the bench and of that app.
/// </summary>
public static class ConsumerBench
{
    /// <summary>The bench's sources the consumer app compiles besides its Program.cs.</summary>
    public static IReadOnlyList<string> SharedSources { get; } = ["StepTiming.cs", "ModelTrainingStep.cs", "BenchModel.cs", "Figure.cs"];

    /// <summary>Variables `dotnet test` and `dotnet run` export for their own MSBuild; the nested build must find its own.</summary>
    private static readonly string[] MsBuildVariables = ["MSBuildExtensionsPath", "MSBuildSDKsPath", "MSBUILD_EXE_PATH", "MSBuildLoadMicrosoftTargetsReadOnly"];

    /// <summary>
    /// Packs OctaveML from <paramref name="repository"/> and builds the consumer app under <paramref name="work"/>;
    /// returns the app's dll. Throws an <see cref="InvalidOperationException"/> with the script's output when it fails.
    /// </summary>
    public static string Build(string repository, string work)
    {
        var psi = new ProcessStartInfo("bash") { WorkingDirectory = repository };
        psi.ArgumentList.Add(Path.Combine(repository, "nuget", "consumer-app.sh"));
        psi.ArgumentList.Add(work);
        psi.ArgumentList.Add(Path.Combine(repository, "nuget", "bench-consumer", "Program.cs"));
        foreach (var s in SharedSources) psi.ArgumentList.Add(Path.Combine(repository, "bench", "OctaveML.Bench", s));
        foreach (var v in MsBuildVariables) psi.Environment.Remove(v);
        string output = ChildProcess.Run(psi, "nuget/consumer-app.sh");
        return DllPath(output);
    }

    /// <summary>The path on the script's "consumer_dll PATH" line.</summary>
    public static string DllPath(string scriptOutput)
    {
        const string prefix = "consumer_dll ";
        var line = scriptOutput.Split('\n').Select(l => l.TrimEnd('\r')).LastOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal));
        return line is null
            ? throw new InvalidOperationException($"nuget/consumer-app.sh printed no '{prefix}PATH' line:\n{scriptOutput}")
            : line[prefix.Length..].Trim();
    }

    /// <summary>
    /// <paramref name="rounds"/> rounds of one bench child and one consumer child timing <paramref name="m"/>'s
    /// training steps; which goes first alternates (ABBA), so that load drifting slower than a round cancels.
    /// </summary>
    public static ConsumerComparison Compare(string consumerDll, BenchModel m, int threads, int steps, int warmup, int rounds)
    {
        if (rounds < 1) throw new ArgumentOutOfRangeException(nameof(rounds), rounds, "at least one round.");
        var args = StepTiming.Arguments(m, threads, steps, warmup);
        var bench = new StepTimes[rounds];
        var consumer = new StepTimes[rounds];
        string benchRuntime = "", consumerRuntime = "";
        for (int r = 0; r < rounds; r++)
        {
            for (int side = 0; side < 2; side++)
            {
                bool benchTurn = (side == 0) == (r % 2 == 0);
                var psi = benchTurn ? ModelBenchmark.BenchProcess() : ChildProcess.Dotnet(consumerDll);
                if (benchTurn) psi.ArgumentList.Add(StepTiming.Suite);
                foreach (var a in args) psi.ArgumentList.Add(a);
                string o = ChildProcess.Run(psi, benchTurn ? $"the bench's {StepTiming.Suite} child" : "the consumer app");
                var s = new StepTimes(Figure.Value(o, "train_step_s"), Figure.Value(o, "train_step_cpu_s"));
                if (benchTurn) { bench[r] = s; benchRuntime = Runtime(o); }
                else { consumer[r] = s; consumerRuntime = Runtime(o); }
            }
        }
        return new ConsumerComparison(bench, consumer, benchRuntime, consumerRuntime);
    }

    /// <summary>Builds the app in a temp folder (removed after), compares, prints <c>consumer_over_bench_KEY</c>.</summary>
    public static ConsumerComparison Run(BenchModel m, int threads, int steps, int warmup, int rounds, TextWriter output)
    {
        var inv = CultureInfo.InvariantCulture;
        string repository = Repository.Root();
        string work = Directory.CreateTempSubdirectory("octaveml-consumer-bench.").FullName;
        try
        {
            long t0 = Stopwatch.GetTimestamp();
            string dll = Build(repository, work);
            output.WriteLine(string.Create(inv, $"consumer app: packed OctaveML and built {dll} in {Stopwatch.GetElapsedTime(t0).TotalSeconds:0} s"));
            var c = Compare(dll, m, threads, steps, warmup, rounds);
            output.WriteLine(string.Create(inv,
                $"{m.Key}: training step, {rounds} rounds of alternating children, median of {steps} steps after {warmup} warm-up each: bench {Median(c.Bench, t => t.Seconds) * 1e3:0} ms, {Median(c.Bench, t => t.CpuSeconds) * 1e3:0} ms processor ({c.BenchRuntime}); NuGet consumer {Median(c.Consumer, t => t.Seconds) * 1e3:0} ms, {Median(c.Consumer, t => t.CpuSeconds) * 1e3:0} ms processor ({c.ConsumerRuntime})"));
            Figure.Print(output, $"consumer_over_bench_{m.Key}", c.ConsumerOverBench);
            Figure.Print(output, $"consumer_over_bench_cpu_{m.Key}", c.ConsumerOverBenchCpu);
            return c;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static double Median(IEnumerable<StepTimes> times, Func<StepTimes, double> part) => Figure.Median([.. times.Select(part)]);

    private static string Runtime(string childOutput)
    {
        var line = childOutput.Split('\n').FirstOrDefault(l => l.StartsWith("runtime ", StringComparison.Ordinal));
        return line is null ? "" : line["runtime ".Length..].Trim();
    }
}
