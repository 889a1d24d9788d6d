namespace OctaveML.Bench;

/// <summary>
/// What a <c>models --child</c> process measured of our engine on one configuration (its "key value"
/// lines): step times, the FMA peak paired with the training steps, memory bandwidth and peak memory.
/// </summary>
/// <param name="TrainStepSeconds">Median training step.</param>
/// <param name="InferStepSeconds">Median inference batch.</param>
/// <param name="StepPeakGflop">Median of training step seconds x the FMA peak sampled just before (see <see cref="PeakPairedSteps"/>).</param>
/// <param name="PeakGflops">Median FMA peak sample of the child, GFLOP/s.</param>
/// <param name="MemoryGbps">Triad bandwidth measured after the steps, GB/s.</param>
/// <param name="TrainPeakRssMb">Peak resident memory after the training steps (before inference).</param>
/// <param name="PeakRssMb">Peak resident memory of the whole child.</param>
/// <param name="TrainCpuSeconds">CPU time of the child (all threads) per timed training step, the peak samples left out (null when not printed).</param>
/// <param name="TrainMinorFaults">Minor page faults per timed training step (null when not printed).</param>
/// <param name="BestPeakGflops">The child's highest FMA peak sample (null when not printed: the median stands in).</param>
public sealed record EngineRun(double TrainStepSeconds, double InferStepSeconds, double StepPeakGflop, double PeakGflops,
    double MemoryGbps, double TrainPeakRssMb, double PeakRssMb, double? TrainCpuSeconds = null, double? TrainMinorFaults = null,
    double? BestPeakGflops = null)
{
    /// <summary>The highest peak sample, or the median when the child did not print it.</summary>
    public double MaxPeakGflops => BestPeakGflops ?? PeakGflops;

    /// <summary>Reads a child's output; throws <see cref="InvalidOperationException"/> naming a missing line.</summary>
    public static EngineRun Parse(string output) => new(
        Figure.Value(output, "train_step_s"), Figure.Value(output, "infer_step_s"), Figure.Value(output, "step_peak_gflop"),
        Figure.Value(output, "fma_peak_gflops"), Figure.Value(output, "memory_gbps"), Figure.Value(output, "train_peak_rss_mb"),
        Figure.Value(output, "peak_rss_mb"), Figure.TryValue(output, "train_cpu_s"), Figure.TryValue(output, "train_minor_faults"),
        Figure.TryValue(output, "fma_peak_max_gflops"));

    /// <summary>
    /// The share of the FMA peak the training steps reached, for a model of <paramref name="trainFlopsPerImage"/> and
    /// <paramref name="batch"/> images a step: against the peak paired with each step, or against the best peak sample
    /// if that gives less. Pairing cancels load that slows a step and its sample alike, but a sample can also read low
    /// alone (on these 2-vCPU machines one read half the others' peak while the steps ran at their usual speed),
    /// and a low sample must not make a step look closer to the peak than it is.
    /// </summary>
    public double TrainPeakFraction(double trainFlopsPerImage, int batch) => Math.Min(
        PeakPairedSteps.Fraction(trainFlopsPerImage * batch, StepPeakGflop),
        PeakPairedSteps.Fraction(trainFlopsPerImage * batch, TrainStepSeconds * MaxPeakGflops));
}
