using System.Diagnostics;
using System.Globalization;

namespace OctaveML.Bench;

/// <summary>Output and timing helpers shared by every benchmark suite.</summary>
public static class Figure
{
    /// <summary>Prints the machine-readable line <c>figure NAME VALUE</c>.</summary>
    public static void Print(string name, double value) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"figure {name} {value:0.####}"));

    /// <summary>
    /// Median wall time in seconds of <paramref name="reps"/> runs of <paramref name="action"/>, after
    /// <paramref name="warmup"/> untimed runs (so the JIT has reached its optimised tier).
    /// </summary>
    public static double MedianSeconds(Action action, int reps = 5, int warmup = 2)
    {
        for (int i = 0; i < warmup; i++) action();
        var times = new double[reps];
        for (int i = 0; i < reps; i++)
        {
            long t0 = Stopwatch.GetTimestamp();
            action();
            times[i] = Stopwatch.GetElapsedTime(t0).TotalSeconds;
        }
        Array.Sort(times);
        return times[reps / 2];
    }
}

/// <summary>Runs a Python script of bench/ with Debian's /usr/bin/python3 (python3-torch) and returns its output.</summary>
public static class PythonPeer
{
    public const string Python = "/usr/bin/python3";

    /// <summary>Runs <paramref name="script"/> (a file next to the benchmark) with arguments; throws with stderr on failure.</summary>
    public static string Run(string script, params string[] args)
    {
        string path = Path.Combine(AppContext.BaseDirectory, script);
        var psi = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(path);
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {Python}");
        var stderr = p.StandardError.ReadToEndAsync();
        string stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0)
            throw new InvalidOperationException($"{Python} {script} exited with {p.ExitCode}: {stderr.Result}");
        return stdout;
    }

    /// <summary>Parses the value of a line "key value" (first match) from a peer's output.</summary>
    public static double Value(string output, string key)
    {
        foreach (var line in output.Split('\n'))
        {
            var parts = line.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 2 && parts[0] == key) return double.Parse(parts[1], CultureInfo.InvariantCulture);
        }
        throw new InvalidOperationException($"the peer printed no '{key}' line:\n{output}");
    }
}
