using System.Globalization;

namespace OctaveML.Bench;

/// <summary>A figure's target (issue 16): at least or at most a value.</summary>
/// <param name="Figure">The figure's name.</param>
/// <param name="AtLeast">True for "&gt;= Value", false for "&lt;= Value".</param>
public sealed record SpeedTarget(string Figure, bool AtLeast, double Value)
{
    /// <summary>The targets of issue 16 ("Speed: from 45% to 65% of the machine's FMA peak").</summary>
    public static IReadOnlyList<SpeedTarget> Issue16 { get; } =
    [
        new("train_peak_fraction_oct_resnet50_224", true, 0.65),
        new("train_peak_fraction_resnet50_224", true, 0.70),
        new("train_peak_fraction_oct_resnet20_28", true, 0.45),
        new("oct_speedup_resnet50_224", true, 1.65),
        new("oct_speedup_under_load_resnet50_224", true, 1.65),
        new("train_peak_rss_mb_oct_resnet50_224", false, 1100),
        new("train_ratio_vs_best_peer_oct_resnet50_224", true, 2),
        new("train_ratio_vs_best_peer_resnet50_224", true, 2),
        new("train_ratio_vs_best_peer_oct_mobilenet_224", true, 2),
        new("train_ratio_vs_best_peer_oct_resnet20_28", true, 2),
        new("ort_oct_speedup_resnet50_224", true, 1.6),
        new("consumer_over_bench_oct_resnet50_224", true, 0.95),
    ];

    /// <summary>Whether <paramref name="value"/> meets the target.</summary>
    public bool IsMet(double value) => AtLeast ? value >= Value : value <= Value;

    /// <summary>"target NAME >= 0.65: 0.52 missed", or "... not measured" when <paramref name="value"/> is null.</summary>
    public string Describe(double? value) => string.Create(CultureInfo.InvariantCulture,
        $"target {Figure} {(AtLeast ? ">=" : "<=")} {Value}: {(value is { } v ? $"{v:0.####} {(IsMet(v) ? "met" : "missed")}" : "not measured")}");

    /// <summary>The <c>figure NAME VALUE</c> lines of <paramref name="output"/> (the last value of a name wins).</summary>
    public static IReadOnlyDictionary<string, double> Figures(string output)
    {
        var figures = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var raw in output.Split('\n'))
        {
            var parts = raw.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 3 && parts[0] == "figure" && double.TryParse(parts[2], NumberStyles.Float, CultureInfo.InvariantCulture, out double v))
                figures[parts[1]] = v;
        }
        return figures;
    }
}
