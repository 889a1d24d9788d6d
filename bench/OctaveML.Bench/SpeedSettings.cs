using System.Globalization;

namespace OctaveML.Bench;

/// <summary>The <c>speed</c> suite's own options, beside the models' (<see cref="ModelBenchSettings"/>, which has the peers).</summary>
public sealed record SpeedSettings
{
    /// <summary>--mallocs: comma-separated allocator settings each peer runs under (see <see cref="MallocSetting"/>).</summary>
    public string Mallocs { get; init; } = string.Join(",", MallocSetting.Names);
    /// <summary>--onnx-runs: alternating ONNX Runtime / engine inference runs per model; 0 skips ONNX Runtime.</summary>
    public int OnnxRuns { get; init; } = OnnxSuite.DefaultRuns;
    /// <summary>
    /// --consumer-rounds: alternating bench / NuGet consumer rounds; 0 skips the consumer figure (it packs and builds, minutes).
    /// Five: with three, two runs a session apart read 1.07 and 0.95 with no change on the path.
    /// </summary>
    public int ConsumerRounds { get; init; } = 5;
    /// <summary>--best-peer-rounds: further rounds of our process and the fastest peer's, alternating, behind <c>train_ratio_vs_best_peer</c>.</summary>
    public int BestPeerRounds { get; init; } = 2;

    /// <summary>Checks the counts; throws an <see cref="ArgumentException"/> naming the option.</summary>
    public void Validate()
    {
        if (OnnxRuns < 0) throw Bad("--onnx-runs", OnnxRuns);
        if (ConsumerRounds < 0) throw Bad("--consumer-rounds", ConsumerRounds);
        if (BestPeerRounds < 0) throw Bad("--best-peer-rounds", BestPeerRounds);
    }

    /// <summary>The names in a comma-separated list.</summary>
    public static IReadOnlyList<string> List(string names) => names.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static ArgumentException Bad(string option, int value) =>
        new(string.Create(CultureInfo.InvariantCulture, $"{option}: got {value}; expected 0 (skip) or more."));
}
