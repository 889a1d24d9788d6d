using System.Diagnostics;
using System.Globalization;

namespace OctaveML.Bench;

/// <summary>
/// CPU time and minor page faults of this process so far: what a step costs the machine, which moves
/// far less with a neighbour's load than wall time does. Page faults are read from /proc (Linux; 0 elsewhere).
/// </summary>
public readonly record struct ProcessCounters(double CpuSeconds, long MinorFaults)
{
    /// <summary>The counters now.</summary>
    public static ProcessCounters Now()
    {
        using var p = Process.GetCurrentProcess();
        return new(p.TotalProcessorTime.TotalSeconds, MinorFaultsSoFar());
    }

    /// <summary>The counters spent since <paramref name="start"/>.</summary>
    public ProcessCounters Since(ProcessCounters start) => new(CpuSeconds - start.CpuSeconds, MinorFaults - start.MinorFaults);

    private static long MinorFaultsSoFar()
    {
        const string stat = "/proc/self/stat";
        if (!OperatingSystem.IsLinux() || !File.Exists(stat)) return 0;
        // Field 10 (minflt); the command name (field 2) is parenthesised and may hold spaces.
        string text = File.ReadAllText(stat);
        var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
        return long.Parse(fields[7], CultureInfo.InvariantCulture);
    }
}
