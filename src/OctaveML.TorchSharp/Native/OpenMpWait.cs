namespace OctaveML.TorchSharp.Native;

/// <summary>
/// How libtorch's OpenMP threads wait between parallel regions. GNU OpenMP spins by default, which on a
/// CPU shared with other work (other processes, a data loader's threads) keeps a descheduled thread's
/// partners spinning at every barrier: training steps of OctCifarResNet-20 (batch 128, 2 threads) took 4 to
/// 5 times longer on a loaded 2-core machine than with OMP_WAIT_POLICY=PASSIVE, which sleeps instead.
/// OpenMP reads the variable once, when libtorch loads, so it is set before the backend first uses libtorch.
/// </summary>
internal static class OpenMpWait
{
    /// <summary>The standard variable (GNU and Intel OpenMP).</summary>
    public const string Variable = "OMP_WAIT_POLICY";

    /// <summary>
    /// Sets OMP_WAIT_POLICY=PASSIVE unless the user chose (OMP_WAIT_POLICY or GOMP_SPINCOUNT set); returns
    /// the policy OpenMP runs with, or a note when libtorch was loaded before the backend could set it.
    /// </summary>
    public static string Configure()
    {
        string? user = Environment.GetEnvironmentVariable(Variable);
        if (user is not null) return user;
        if (Environment.GetEnvironmentVariable("GOMP_SPINCOUNT") is { } spins) return $"GOMP_SPINCOUNT={spins}";
        if (LibTorchLoaded()) return "OpenMP default (libtorch was loaded before the backend)";
        Libc.SetEnvironmentVariable(Variable, "PASSIVE");
        return "PASSIVE";
    }

    /// <summary>True when libtorch's CPU library is already mapped into this process (Linux; elsewhere assumed not).</summary>
    private static bool LibTorchLoaded()
    {
        const string maps = "/proc/self/maps";
        return OperatingSystem.IsLinux() && File.Exists(maps) && File.ReadLines(maps).Any(l => l.Contains("libtorch_cpu", StringComparison.Ordinal));
    }
}
