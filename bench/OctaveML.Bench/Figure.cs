namespace OctaveML.Bench;

/// <summary>Output and timing helpers shared by every benchmark suite (the samples' <see cref="Samples.Benchmarks.Figure"/>, on the console).</summary>
public static class Figure
{
    /// <summary>Prints the machine-readable line <c>figure NAME VALUE</c>.</summary>
    public static void Print(string name, double value) => Samples.Benchmarks.Figure.Print(Console.Out, name, value);

    /// <summary>Median wall time in seconds of <paramref name="reps"/> runs after <paramref name="warmup"/> untimed runs.</summary>
    public static double MedianSeconds(Action action, int reps = 5, int warmup = 2) =>
        Samples.Benchmarks.Figure.MedianSeconds(action, reps, warmup);

    /// <summary>Wall time in seconds of one run of <paramref name="action"/>.</summary>
    public static double Seconds(Action action) => Samples.Benchmarks.Figure.Seconds(action);

    /// <summary>The median of <paramref name="values"/> (the upper one of an even count).</summary>
    public static double Median(double[] values) => Samples.Benchmarks.Figure.Median(values);
}

/// <summary>Runs a Python script of bench/ with Debian's /usr/bin/python3 (python3-torch) and returns its output.</summary>
public static class PythonPeer
{
    /// <summary>Runs <paramref name="script"/> (a file next to the benchmark) with arguments; throws with stderr on failure.</summary>
    public static string Run(string script, params string[] args)
    {
        try
        {
            return Samples.Benchmarks.PythonPeer.Run(Samples.Benchmarks.PythonPeer.DefaultPython, Path.Combine(AppContext.BaseDirectory, script), args);
        }
        catch (Samples.Benchmarks.PeerException e)
        {
            throw new InvalidOperationException($"{e.Message}\n{e.Details}", e);
        }
    }

    /// <summary>Parses the value of a line "key value" (first match) from a peer's output.</summary>
    public static double Value(string output, string key) => Samples.Benchmarks.Figure.Value(output, key);
}
