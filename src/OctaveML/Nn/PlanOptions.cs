namespace OctaveML.Nn;

/// <summary>How a plan may save memory (both on by default; off gives the reference every buffer its own memory is checked against).</summary>
/// <param name="ReuseMemory">Buffers whose lifetimes do not overlap share memory; outputs may overwrite dead inputs.</param>
/// <param name="Recompute">Outputs an op can rebuild cheaply (BN + ReLU) are freed after forward and recomputed in backward.</param>
internal sealed record PlanOptions(bool ReuseMemory = true, bool Recompute = true);
