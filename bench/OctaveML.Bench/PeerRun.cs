namespace OctaveML.Bench;

/// <summary>One peer's measurement of one model under one allocator setting.</summary>
/// <param name="Peer">The peer's name in figures: pytorch, libtorch.</param>
/// <param name="Malloc">The allocator setting its process ran with.</param>
/// <param name="Version">The framework version it reported ("1.13.0a0").</param>
/// <param name="TrainStepSeconds">Median training step.</param>
/// <param name="InferStepSeconds">Median inference batch.</param>
/// <param name="PeakRssMb">Peak resident memory of its process.</param>
public sealed record PeerRun(string Peer, MallocSetting Malloc, string Version, double TrainStepSeconds, double InferStepSeconds, double PeakRssMb);
