using OctaveML.Data;
using OctaveML.Training;

namespace OctaveML.Pipeline;

/// <summary>
/// When to stop training early (ML.NET's <c>ImageClassificationTrainer.EarlyStopping</c>): after
/// <see cref="Patience"/> epochs in which the validation metric did not improve by more than
/// <see cref="MinDelta"/>; the best epoch's weights are kept. Needs a ValidationSet.
/// </summary>
public sealed class EarlyStopping(float minDelta = 0.01f, int patience = 20, EarlyStoppingMetric metric = EarlyStoppingMetric.ValidationAccuracy)
{
    /// <summary>The smallest change that counts as an improvement (default 0.01, as ML.NET).</summary>
    public float MinDelta { get; } = minDelta;

    /// <summary>Epochs without improvement before stopping (default 20, as ML.NET).</summary>
    public int Patience { get; } = patience;

    /// <summary>Validation accuracy (default; must rise) or validation loss (must fall).</summary>
    public EarlyStoppingMetric Metric { get; } = metric;
}

/// <summary>
/// What every OctaveML image trainer takes. Names follow ML.NET's <c>ImageClassificationTrainer.Options</c>
/// where they mean the same (Epoch, BatchSize, LearningRate, MetricsCallback, ValidationSet,
/// EarlyStoppingCriteria and the column names, with ML.NET's defaults); the rest choose the training recipe.
/// Unlike ML.NET's trainer, which fine-tunes a pretrained network, these train the whole network from its initial weights.
/// </summary>
public abstract class ImageClassificationTrainerOptions
{
    /// <summary>The key column of classes (default "Label").</summary>
    public string LabelColumnName { get; set; } = "Label";

    /// <summary>The float vector column of planar pixels [C, H, W] (default "Features").</summary>
    public string FeatureColumnName { get; set; } = "Features";

    /// <summary>The probabilities column written (default "Score").</summary>
    public string ScoreColumnName { get; set; } = "Score";

    /// <summary>The predicted key column written (default "PredictedLabel").</summary>
    public string PredictedLabelColumnName { get; set; } = "PredictedLabel";

    /// <summary>Passes over the training data (default 200, as ML.NET).</summary>
    public int Epoch { get; set; } = 200;

    /// <summary>Images per optimizer step (default 10, as ML.NET).</summary>
    public int BatchSize { get; set; } = 10;

    /// <summary>The base (peak) learning rate (default 0.01, as ML.NET).</summary>
    public float LearningRate { get; set; } = 0.01f;

    /// <summary>Called after every batch and at the end of every epoch (with validation figures when there is a ValidationSet).</summary>
    public Action<TrainingProgress>? MetricsCallback { get; set; }

    /// <summary>
    /// Data to validate on after each epoch: rows with the same Features and Label columns as the
    /// training data (e.g. the preprocessing pipeline's transform of held-out rows). Null: no validation.
    /// </summary>
    public IDataView? ValidationSet { get; set; }

    /// <summary>Early stopping on the validation set (default none).</summary>
    public EarlyStopping? EarlyStoppingCriteria { get; set; }

    /// <summary>SGD (momentum 0.9, the default) or AdamW.</summary>
    public OptimizerKind Optimizer { get; set; } = OptimizerKind.Sgd;

    /// <summary>The learning-rate schedule (default cosine over the run).</summary>
    public ScheduleKind Schedule { get; set; } = ScheduleKind.Cosine;

    /// <summary>Weight decay (default 5e-4).</summary>
    public float WeightDecay { get; set; } = 5e-4f;

    /// <summary>Label smoothing of the training loss (default 0).</summary>
    public float LabelSmoothing { get; set; }

    /// <summary>A per-batch augmentation applied to training batches only (e.g. RandomHorizontalFlip, RandomCrop); default none.</summary>
    public IBatchTransform? Augmentation { get; set; }

    /// <summary>
    /// What trains the network (default: the managed engine, <see cref="ManagedBackend"/>). OctaveML.TorchSharp's
    /// <c>new TorchSharpBackend(device: "cuda")</c> trains it with libtorch on a GPU; the fitted model is the same
    /// kind of transformer whichever backend trained it.
    /// </summary>
    public ITrainingBackend? Backend { get; set; }

    /// <summary>
    /// Kernel threads of the default managed backend (default: the process-wide <see cref="Threading.Parallelism.Threads"/>,
    /// which is left alone); a <see cref="Backend"/> given here carries its own thread count.
    /// </summary>
    public int? Threads { get; set; }

    /// <summary>Where to keep a checkpoint so an interrupted Fit resumes (default none).</summary>
    public string? CheckpointDirectory { get; set; }

    /// <summary>Seed of the initial weights and the batch order (default: drawn from the context's seed).</summary>
    public int? Seed { get; set; }

    /// <summary>Stops training within one batch with <see cref="OperationCanceledException"/> (as does <see cref="OctaveContext.CancelExecution"/>).</summary>
    public CancellationToken CancellationToken { get; set; }
}
