namespace OctaveML.Training;

/// <summary>
/// torch.optim.lr_scheduler.OneCycleLR with anneal_strategy = 'cos' and two phases: from
/// maxLr / divFactor up to maxLr by a cosine over the first pctStart of the iterations, then down
/// to maxLr / divFactor / finalDivFactor at the last one (the phase boundary at pctStart * total - 1,
/// exactly as torch computes it). With <c>cycleMomentum</c> (torch's default) the momentum moves the
/// other way, maxMomentum -> baseMomentum -> maxMomentum, by the same cosines (<see cref="LearningRateSchedule.Momentum"/>).
/// Iterations past the end keep the final values.
/// </summary>
public sealed class OneCycleSchedule : LearningRateSchedule
{
    private readonly double _initial, _min, _phaseEnd;

    /// <summary>A one-cycle policy peaking at <paramref name="maxLearningRate"/> over <paramref name="totalIterations"/>.</summary>
    public OneCycleSchedule(double maxLearningRate, long totalIterations, double pctStart = 0.3, double divFactor = 25, double finalDivFactor = 1e4,
        bool cycleMomentum = false, double baseMomentum = 0.85, double maxMomentum = 0.95)
    {
        if (cycleMomentum && !(baseMomentum >= 0 && baseMomentum <= maxMomentum && maxMomentum < 1))
            throw new ArgumentOutOfRangeException(nameof(baseMomentum), baseMomentum, $"with cycleMomentum, 0 <= baseMomentum <= maxMomentum (= {maxMomentum}) < 1 must hold.");
        CycleMomentum = cycleMomentum; BaseMomentum = baseMomentum; MaxMomentum = maxMomentum;
        CheckRate(maxLearningRate, nameof(maxLearningRate));
        CheckPositive(totalIterations, nameof(totalIterations));
        if (!(pctStart >= 0 && pctStart <= 1)) throw new ArgumentOutOfRangeException(nameof(pctStart), pctStart, "pctStart must be in [0, 1].");
        if (!(divFactor > 0) || double.IsInfinity(divFactor)) throw new ArgumentOutOfRangeException(nameof(divFactor), divFactor, "divFactor must be a finite value > 0.");
        if (!(finalDivFactor > 0) || double.IsInfinity(finalDivFactor)) throw new ArgumentOutOfRangeException(nameof(finalDivFactor), finalDivFactor, "finalDivFactor must be a finite value > 0.");
        _phaseEnd = pctStart * totalIterations - 1;
        if (!(_phaseEnd > 0 && _phaseEnd < totalIterations - 1))
            throw new ArgumentOutOfRangeException(nameof(pctStart), pctStart, $"pctStart * totalIterations - 1 must fall strictly inside (0, {totalIterations - 1}) so both phases have length.");
        MaxLearningRate = maxLearningRate; TotalIterations = totalIterations; PctStart = pctStart;
        DivFactor = divFactor; FinalDivFactor = finalDivFactor;
        _initial = maxLearningRate / divFactor;
        _min = _initial / finalDivFactor;
    }

    /// <summary>The peak rate.</summary>
    public double MaxLearningRate { get; }

    /// <summary>Length of the cycle in iterations.</summary>
    public long TotalIterations { get; }

    /// <summary>Share of the cycle spent increasing the rate.</summary>
    public double PctStart { get; }

    /// <summary>The initial rate is MaxLearningRate / DivFactor.</summary>
    public double DivFactor { get; }

    /// <summary>The final rate is the initial rate / FinalDivFactor.</summary>
    public double FinalDivFactor { get; }

    /// <summary>True when the momentum is cycled against the rate.</summary>
    public bool CycleMomentum { get; }

    /// <summary>The momentum at the peak rate.</summary>
    public double BaseMomentum { get; }

    /// <summary>The momentum at the start and the end.</summary>
    public double MaxMomentum { get; }

    /// <inheritdoc/>
    protected override double At(long iteration)
    {
        double step = Math.Min(iteration, TotalIterations - 1);
        return step <= _phaseEnd
            ? Anneal(_initial, MaxLearningRate, step / _phaseEnd)
            : Anneal(MaxLearningRate, _min, (step - _phaseEnd) / (TotalIterations - 1 - _phaseEnd));
    }

    /// <inheritdoc/>
    protected override double? MomentumAt(long iteration)
    {
        if (!CycleMomentum) return null;
        double step = Math.Min(iteration, TotalIterations - 1);
        return step <= _phaseEnd
            ? Anneal(MaxMomentum, BaseMomentum, step / _phaseEnd)
            : Anneal(BaseMomentum, MaxMomentum, (step - _phaseEnd) / (TotalIterations - 1 - _phaseEnd));
    }

    private static double Anneal(double start, double end, double pct) => end + (start - end) / 2.0 * (Math.Cos(Math.PI * pct) + 1);
}
