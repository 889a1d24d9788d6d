using System.Diagnostics;
using System.Globalization;

namespace OctaveML.Bench;

/// <summary>Output and timing helpers shared by every benchmark suite.</summary>
public static class Figure
{
    /// <summary>Writes the machine-readable line <c>figure NAME VALUE</c>.</summary>
    public static void Print(TextWriter output, string name, double value) =>
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"figure {name} {value:0.####}"));

    /// <summary>Prints the machine-readable line <c>figure NAME VALUE</c> on the console.</summary>
    public static void Print(string name, double value) => Print(Console.Out, name, value);

    /// <summary>
    /// Median wall time in seconds of <paramref name="reps"/> runs of <paramref name="action"/>, after
    /// <paramref name="warmup"/> untimed runs (so the JIT has reached its optimised tier).
    /// </summary>
    public static double MedianSeconds(Action action, int reps = 5, int warmup = 2)
    {
        for (int i = 0; i < warmup; i++) action();
        var times = new double[reps];
        for (int i = 0; i < reps; i++) times[i] = Seconds(action);
        return Median(times);
    }

    /// <summary>Wall time in seconds of one run of <paramref name="action"/>.</summary>
    public static double Seconds(Action action)
    {
        long t0 = Stopwatch.GetTimestamp();
        action();
        // Raw ticks: TimeSpan rounds to 100 ns, which turns a short call into 0 s.
        return (Stopwatch.GetTimestamp() - t0) / (double)Stopwatch.Frequency;
    }

    /// <summary>The median of <paramref name="values"/> (the upper one of an even count); the array is left as it was.</summary>
    public static double Median(double[] values)
    {
        var sorted = (double[])values.Clone();
        Array.Sort(sorted);
        return sorted[sorted.Length / 2];
    }

    /// <summary>Parses the value of a line "key value" (first match) from a benchmark process's or a peer's output.</summary>
    public static double Value(string output, string key) =>
        TryValue(output, key) ?? throw new InvalidOperationException($"the benchmark process printed no '{key}' line:\n{output}");

    /// <summary>The value of the first line "key value" of <paramref name="output"/>, or null when there is none.</summary>
    public static double? TryValue(string output, string key)
    {
        foreach (var line in output.Split('\n'))
        {
            var parts = line.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 2 && parts[0] == key) return double.Parse(parts[1], CultureInfo.InvariantCulture);
        }
        return null;
    }
}
