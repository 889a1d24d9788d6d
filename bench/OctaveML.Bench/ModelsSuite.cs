using System.Globalization;
using OctaveML.Samples.Benchmarks;
using OctaveML.Threading;

namespace OctaveML.Bench;

/// <summary>
/// The "models" suite: the samples' <c>bench</c> command (<see cref="ModelBenchmark"/>: whole-model training
/// step and inference against the PyTorch peer model_peer.py, each side in its own process for peak RSS)
/// at this process's thread count, with the peer's model names.
/// Usage: OctaveML.Bench models [MODEL SIZE BATCH]   (MODEL: oct_resnet50 | resnet50 | oct_mobilenet |
/// mobilenet | oct_resnet20 | resnet20; the "oct_" prefix means alpha 0.5, none means alpha 0),
/// or OctaveML.Bench models --profile MODEL SIZE BATCH (see <see cref="ModelProfile"/>).
/// </summary>
public static class ModelsSuite
{
    public static void Run(string[] args)
    {
        if (args.Length > 0 && args[0] == "--profile") { ModelProfile.Run(args[1], Int(args[2]), Int(args[3]), args.Length > 4 && args[4] == "--layers"); return; }
        var configs = args.Length >= 3 ? [BenchModel.FromPeerName(args[0], Int(args[1]), Int(args[2]))] : BenchModel.Defaults;
        var failures = ModelBenchmark.Run(configs, new ModelBenchmarkOptions(Parallelism.Threads), Console.Out);
        if (failures.Count > 0)
            throw new InvalidOperationException(string.Join("\n", failures.Select(f => $"{f.Message}\n{f.Details}")));
    }

    private static int Int(string s) => int.Parse(s, CultureInfo.InvariantCulture);
}
