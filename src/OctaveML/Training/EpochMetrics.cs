namespace OctaveML.Training;

/// <summary>
/// What one epoch achieved. Losses are mean cross-entropy per image (the training loss with the
/// run's label smoothing, the validation loss without); accuracies are top-1 in [0, 1].
/// Deterministic: equal for equal runs (no timings here; those are in <see cref="TrainingProgress"/>).
/// </summary>
public sealed record EpochMetrics(
    int Epoch,
    double TrainLoss,
    double TrainAccuracy,
    double? ValidationLoss,
    double? ValidationAccuracy,
    double LearningRate);
