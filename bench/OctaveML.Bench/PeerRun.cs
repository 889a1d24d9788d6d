namespace OctaveML.Bench;

/// <summary>One peer's measurement of one model under one allocator setting.</summary>
/// <param name="Peer">The peer's name in figures: pytorch, libtorch.</param>
/// <param name="Malloc">The allocator setting its process ran with.</param>
/// <param name="Version">The framework version it reported ("1.13.0a0", "2.10.0").</param>
/// <param name="TrainStepSeconds">Median training step.</param>
/// <param name="InferStepSeconds">Median inference batch.</param>
/// <param name="PeakRssMb">Peak resident memory of its process.</param>
/// <param name="TrainCpuSeconds">CPU time of its process (all threads) per timed training step, when it reported it.</param>
/// <param name="TrainMinorFaults">Minor page faults per timed training step, when it reported them.</param>
/// <param name="Details">How it ran, when the peer says more than its version ("OpenMP wait PASSIVE, glibc malloc tuned").</param>
public sealed record PeerRun(string Peer, MallocSetting Malloc, string Version, double TrainStepSeconds, double InferStepSeconds, double PeakRssMb,
    double? TrainCpuSeconds = null, double? TrainMinorFaults = null, string Details = "")
{
    /// <summary>"pytorch 1.13.0a0 with default_malloc", with the details in parentheses when there are any.</summary>
    public string Title => $"{Peer} {Version}{(Details.Length > 0 ? $" ({Details})" : "")} with {Malloc.Name}";
}
