namespace OctaveML.Training;

/// <summary>
/// Where a run stands, as saved in a checkpoint's metadata: the position (epoch, batch, iteration),
/// the partial sums of the running epoch, early-stopping bookkeeping, the history and the options.
/// Data order and augmentation are functions of (seed, epoch, index) in the loader, so the position
/// is all the randomness state a resume needs.
/// </summary>
public sealed record TrainingState
{
    /// <summary>The checkpoint format version this build writes.</summary>
    public const int CurrentFormatVersion = 1;

    /// <summary>Format version of the file.</summary>
    public int FormatVersion { get; init; } = CurrentFormatVersion;

    /// <summary>The epoch to continue in (0-based); equals Options.Epochs once finished.</summary>
    public int Epoch { get; init; }

    /// <summary>The next batch to train within <see cref="Epoch"/>.</summary>
    public int Batch { get; init; }

    /// <summary>Optimizer steps taken (the schedule's position).</summary>
    public long Iteration { get; init; }

    /// <summary>Batches per epoch of the training data the run was started with.</summary>
    public int BatchesPerEpoch { get; init; }

    /// <summary>The training source's seed (<see cref="IBatchSource.Seed"/>), when it has one.</summary>
    public ulong? DataSeed { get; init; }

    /// <summary>True once the run has ended (all epochs, or early stopping).</summary>
    public bool Completed { get; init; }

    /// <summary>Why the run ended, when <see cref="Completed"/>.</summary>
    public StopReason? StopReason { get; init; }

    /// <summary>Sum of per-image training losses so far in the running epoch.</summary>
    public double EpochLossSum { get; init; }

    /// <summary>Correctly classified training images so far in the running epoch.</summary>
    public long EpochCorrect { get; init; }

    /// <summary>Training images seen so far in the running epoch.</summary>
    public long EpochSeen { get; init; }

    /// <summary>The best value of the early-stopping metric so far (null before the first validation).</summary>
    public double? BestMetric { get; init; }

    /// <summary>The epoch that reached <see cref="BestMetric"/>.</summary>
    public int? BestEpoch { get; init; }

    /// <summary>Epochs since the last improvement.</summary>
    public int EpochsWithoutImprovement { get; init; }

    /// <summary>The finished epochs' metrics.</summary>
    public List<EpochMetrics> History { get; init; } = new();

    /// <summary>The run's options.</summary>
    public TrainerOptions Options { get; init; } = new();

    /// <summary>The optimizer's type name (information).</summary>
    public string Optimizer { get; init; } = "";

    /// <summary>The model's description (information).</summary>
    public string Model { get; init; } = "";

    /// <summary>The backend that wrote it (information: any backend continues the run).</summary>
    public string Backend { get; init; } = "";

    /// <summary>Kernel threads when saved (results are bit-identical only for the same backend and count).</summary>
    public int Threads { get; init; }

    /// <summary>UTC time of writing, ISO 8601 (information).</summary>
    public string SavedAtUtc { get; init; } = "";
}
