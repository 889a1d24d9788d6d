using System.Diagnostics;
using System.Runtime.InteropServices;

namespace OctaveML.Bench;

/// <summary>
/// CPU time (all threads) and minor page faults of this process so far: what a step costs the machine,
/// which moves far less with a neighbour's load than wall time does. On Linux both come from getrusage,
/// to the microsecond (Process.TotalProcessorTime there counts 10 ms ticks, too coarse for one small step);
/// elsewhere the CPU time is .NET's and the faults are 0.
/// </summary>
public readonly record struct ProcessCounters(double CpuSeconds, long MinorFaults)
{
    /// <summary>The counters now.</summary>
    public static ProcessCounters Now()
    {
        if (OperatingSystem.IsLinux() && getrusage(RusageSelf, out var u) == 0)
            return new(u.UserSeconds + u.UserMicroseconds * 1e-6 + u.SystemSeconds + u.SystemMicroseconds * 1e-6, u.MinorFaults);
        using var p = Process.GetCurrentProcess();
        return new(p.TotalProcessorTime.TotalSeconds, 0);
    }

    /// <summary>The counters spent since <paramref name="start"/>.</summary>
    public ProcessCounters Since(ProcessCounters start) => new(CpuSeconds - start.CpuSeconds, MinorFaults - start.MinorFaults);

    /// <summary>The counters of two spans together.</summary>
    public static ProcessCounters operator +(ProcessCounters a, ProcessCounters b) => new(a.CpuSeconds + b.CpuSeconds, a.MinorFaults + b.MinorFaults);

    /// <summary>Runs <paramref name="action"/> and adds what it spent to <paramref name="total"/>.</summary>
    public static void Count(Action action, ref ProcessCounters total)
    {
        var start = Now();
        action();
        total += Now().Since(start);
    }

    private const int RusageSelf = 0;

    /// <summary>Linux's struct rusage on 64-bit targets: two timevals, then 14 longs (ru_minflt is the 5th).</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct Rusage
    {
        public long UserSeconds, UserMicroseconds, SystemSeconds, SystemMicroseconds;
        public long MaxRss, SharedText, UnsharedData, UnsharedStack, MinorFaults, MajorFaults, Swaps;
        public long BlockIn, BlockOut, MessagesSent, MessagesReceived, Signals, VoluntarySwitches, InvoluntarySwitches;
    }

    [DllImport("libc", EntryPoint = "getrusage")]
    private static extern int getrusage(int who, out Rusage usage);
}
