using OctaveML.Training;

namespace OctaveML;

/// <summary>
/// When to stop training early (ML.NET's <c>ImageClassificationTrainer.EarlyStopping</c>): after
/// <see cref="Patience"/> epochs in which the validation metric did not improve by more than
/// <see cref="MinDelta"/>. The best epoch's weights are kept. Needs validation data
/// (<see cref="OctaveTrainerOptions.ValidationSet"/> or <see cref="OctaveTrainerOptions.ValidationSetFraction"/>).
/// </summary>
public sealed class EarlyStopping
{
    /// <summary>Stops after <paramref name="patience"/> epochs without an improvement larger than <paramref name="minDelta"/> (ML.NET's defaults).</summary>
    public EarlyStopping(float minDelta = 0.01f, int patience = 20, EarlyStoppingMetric metric = EarlyStoppingMetric.ValidationAccuracy)
    {
        if (!(minDelta >= 0) || float.IsInfinity(minDelta))
            throw new ArgumentOutOfRangeException(nameof(minDelta), minDelta, "EarlyStopping minDelta must be a finite value >= 0.");
        if (patience < 1)
            throw new ArgumentOutOfRangeException(nameof(patience), patience, "EarlyStopping patience must be at least 1.");
        if (metric is not (EarlyStoppingMetric.ValidationAccuracy or EarlyStoppingMetric.ValidationLoss))
            throw new ArgumentOutOfRangeException(nameof(metric), metric,
                "EarlyStopping metric must be ValidationAccuracy or ValidationLoss (for no early stopping, leave EarlyStoppingCriteria null).");
        MinDelta = minDelta; Patience = patience; Metric = metric;
    }

    /// <summary>The smallest change that counts as an improvement (default 0.01).</summary>
    public float MinDelta { get; }

    /// <summary>Epochs without improvement before stopping (default 20).</summary>
    public int Patience { get; }

    /// <summary>Validation accuracy (default; must rise) or validation loss (must fall).</summary>
    public EarlyStoppingMetric Metric { get; }
}
