namespace OctaveML.Training;

/// <summary>Why a run ended.</summary>
public enum StopReason
{
    /// <summary>All epochs ran.</summary>
    Completed,
    /// <summary>Early stopping ran out of patience.</summary>
    EarlyStopped,
}

/// <summary>The outcome of <c>Trainer.Fit</c>.</summary>
public sealed record TrainingResult(
    IReadOnlyList<EpochMetrics> History,
    StopReason StopReason,
    long Iterations,
    int? BestEpoch,
    double? BestMetric)
{
    /// <summary>The last epoch's metrics.</summary>
    public EpochMetrics Last => History[^1];
}
