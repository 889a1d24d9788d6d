namespace OctaveML.Training;

/// <summary>
/// Cosine annealing with an optional linear warm-up, as torch's
/// SequentialLR([LinearLR(start_factor, total_iters = warmup), CosineAnnealingLR(T_max = total - warmup, eta_min)], [warmup]):
/// for i &lt; warmup, base * (startFactor + (1 - startFactor) * i / warmup); then
/// minLr + (base - minLr) * (1 + cos(pi * (i - warmup) / (total - warmup))) / 2, and minLr after
/// <see cref="TotalIterations"/> (where torch's cosine would rise again).
/// </summary>
public sealed class CosineSchedule : LearningRateSchedule
{
    /// <summary>
    /// Anneals <paramref name="baseLearningRate"/> to <paramref name="minLearningRate"/> over
    /// <paramref name="totalIterations"/>, the first <paramref name="warmupIterations"/> of which ramp
    /// linearly up from base * <paramref name="warmupStartFactor"/>.
    /// </summary>
    public CosineSchedule(double baseLearningRate, long totalIterations, long warmupIterations = 0,
        double warmupStartFactor = 0.01, double minLearningRate = 0)
    {
        CheckRate(baseLearningRate, nameof(baseLearningRate));
        CheckPositive(totalIterations, nameof(totalIterations));
        if (warmupIterations < 0 || warmupIterations >= totalIterations)
            throw new ArgumentOutOfRangeException(nameof(warmupIterations), warmupIterations, $"warmupIterations must be in [0, totalIterations = {totalIterations}).");
        if (!(warmupStartFactor > 0 && warmupStartFactor <= 1))
            throw new ArgumentOutOfRangeException(nameof(warmupStartFactor), warmupStartFactor, "warmupStartFactor must be in (0, 1].");
        CheckRate(minLearningRate, nameof(minLearningRate));
        BaseLearningRate = baseLearningRate; TotalIterations = totalIterations; WarmupIterations = warmupIterations;
        WarmupStartFactor = warmupStartFactor; MinLearningRate = minLearningRate;
    }

    /// <summary>The peak rate (reached at the end of the warm-up).</summary>
    public double BaseLearningRate { get; }

    /// <summary>Iterations of warm-up plus annealing.</summary>
    public long TotalIterations { get; }

    /// <summary>Iterations of linear warm-up.</summary>
    public long WarmupIterations { get; }

    /// <summary>The warm-up starts at base times this factor.</summary>
    public double WarmupStartFactor { get; }

    /// <summary>The rate the cosine ends at.</summary>
    public double MinLearningRate { get; }

    /// <inheritdoc/>
    protected override double At(long iteration)
    {
        if (iteration < WarmupIterations)
            return BaseLearningRate * (WarmupStartFactor + (1 - WarmupStartFactor) * iteration / WarmupIterations);
        long span = TotalIterations - WarmupIterations;
        long t = Math.Min(iteration - WarmupIterations, span);
        return MinLearningRate + (BaseLearningRate - MinLearningRate) * (1 + Math.Cos(Math.PI * t / span)) / 2;
    }
}
