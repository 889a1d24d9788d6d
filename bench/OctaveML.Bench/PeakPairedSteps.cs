namespace OctaveML.Bench;

/// <summary>
/// Steps timed in pairs with an FMA-peak sample just before each, so that a step and the peak it is
/// divided by see the same machine load (neighbours move a single timing by up to 30% here).
/// </summary>
/// <param name="StepSeconds">Median step time.</param>
/// <param name="PeakGflops">Median of the FMA-peak samples.</param>
/// <param name="StepPeakGflop">
/// Median over the pairs of step seconds x peak GFLOP/s: the GFLOP the machine could have done at its
/// peak during one step. A step of F FLOP runs at F / 1e9 / this of the peak (<see cref="Fraction"/>).
/// </param>
/// <param name="MaxPeakGflops">The highest peak sample: what the machine gave at best in this process.</param>
public sealed record PeakPairedSteps(double StepSeconds, double PeakGflops, double StepPeakGflop, double MaxPeakGflops)
{
    /// <summary>Times <paramref name="steps"/> pairs (peak sample, step) after <paramref name="warmup"/> untimed steps.</summary>
    public static PeakPairedSteps Measure(Action step, int steps, int warmup, int threads)
    {
        for (int i = 0; i < warmup; i++) step();
        FmaPeak.Gflops(threads);
        var times = new double[steps];
        var peaks = new double[steps];
        var products = new double[steps];
        for (int i = 0; i < steps; i++)
        {
            peaks[i] = FmaPeak.Gflops(threads);
            times[i] = Figure.Seconds(step);
            products[i] = times[i] * peaks[i];
        }
        return new PeakPairedSteps(Figure.Median(times), Figure.Median(peaks), Figure.Median(products), peaks.Max());
    }

    /// <summary>The share of the FMA peak that a step of <paramref name="flopsPerStep"/> FLOP reached.</summary>
    public static double Fraction(double flopsPerStep, double stepPeakGflop)
    {
        if (!(stepPeakGflop > 0)) throw new ArgumentOutOfRangeException(nameof(stepPeakGflop), stepPeakGflop, "the step's peak GFLOP must be positive.");
        return flopsPerStep / 1e9 / stepPeakGflop;
    }
}
