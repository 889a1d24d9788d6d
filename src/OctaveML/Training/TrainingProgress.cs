namespace OctaveML.Training;

/// <summary>What a <see cref="TrainingProgress"/> report is about.</summary>
public enum ProgressKind
{
    /// <summary>A training batch finished.</summary>
    Batch,
    /// <summary>An epoch finished and was validated.</summary>
    EpochEnd,
}

/// <summary>
/// A progress report from <c>Trainer.Fit</c>, sent after every batch and every epoch.
/// Epoch and Batch are 0-based indices; Loss and Accuracy are running means over the epoch so far.
/// </summary>
public sealed record TrainingProgress
{
    /// <summary>Batch or epoch end.</summary>
    public required ProgressKind Kind { get; init; }

    /// <summary>The epoch index (0-based).</summary>
    public required int Epoch { get; init; }

    /// <summary>Total epochs of the run.</summary>
    public required int Epochs { get; init; }

    /// <summary>The batch index within the epoch (0-based); for EpochEnd the batch count.</summary>
    public required int Batch { get; init; }

    /// <summary>Batches per epoch.</summary>
    public required int BatchesPerEpoch { get; init; }

    /// <summary>Optimizer steps taken so far in the run.</summary>
    public required long Iteration { get; init; }

    /// <summary>The last batch's training loss.</summary>
    public required double BatchLoss { get; init; }

    /// <summary>Mean training loss over the epoch so far.</summary>
    public required double Loss { get; init; }

    /// <summary>Training accuracy over the epoch so far.</summary>
    public required double Accuracy { get; init; }

    /// <summary>The learning rate of the last step.</summary>
    public required double LearningRate { get; init; }

    /// <summary>Training throughput over the epoch so far (images per second, wall clock).</summary>
    public required double ImagesPerSecond { get; init; }

    /// <summary>Estimated time to the end of the run (at this epoch's pace; validation excluded).</summary>
    public required TimeSpan Eta { get; init; }

    /// <summary>At EpochEnd with validation data: the validation loss.</summary>
    public double? ValidationLoss { get; init; }

    /// <summary>At EpochEnd with validation data: the validation accuracy.</summary>
    public double? ValidationAccuracy { get; init; }
}
