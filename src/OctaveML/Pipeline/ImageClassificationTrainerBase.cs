using System.Globalization;
using OctaveML.Data;
using OctaveML.Training;

namespace OctaveML.Pipeline;

/// <summary>
/// The Fit shared by the OctaveML trainers: reads the Features and Label columns into memory, builds
/// the network, trains it with <see cref="Trainer"/> and returns the
/// <see cref="ImageClassificationPredictionTransformer"/> that scores new rows.
/// </summary>
public abstract class ImageClassificationTrainerBase<TOptions> : IEstimator<ImageClassificationPredictionTransformer>
    where TOptions : ImageClassificationTrainerOptions
{
    private readonly OctaveContext _ctx;

    private protected ImageClassificationTrainerBase(OctaveContext ctx, TOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _ctx = ctx; TrainingOptions = options;
        Check(options.Epoch >= 1, nameof(options.Epoch), options.Epoch, "at least 1");
        Check(options.BatchSize >= 1, nameof(options.BatchSize), options.BatchSize, "at least 1");
        Check(float.IsFinite(options.LearningRate) && options.LearningRate > 0, nameof(options.LearningRate), options.LearningRate, "a finite value > 0");
        Check(options.Threads is null or >= 1, nameof(options.Threads), options.Threads ?? 0, "at least 1");
        Check(options.Threads is null || options.Backend is null, nameof(options.Threads), options.Threads ?? 0, "null when Options.Backend is set (the backend carries its thread count)");
        foreach (var (name, value) in new[] { (nameof(options.LabelColumnName), options.LabelColumnName), (nameof(options.FeatureColumnName), options.FeatureColumnName),
                     (nameof(options.ScoreColumnName), options.ScoreColumnName), (nameof(options.PredictedLabelColumnName), options.PredictedLabelColumnName) })
            Check(!string.IsNullOrEmpty(value), name, value ?? "null", "a column name");
        Architecture(); // validates the architecture options
    }

    /// <summary>The trainer's options.</summary>
    public TOptions TrainingOptions { get; }

    /// <summary>The network this trainer builds (validating its options).</summary>
    private protected abstract ModelArchitecture Architecture();

    private static void Check(bool ok, string name, object value, string expected)
    {
        if (!ok) throw new ArgumentOutOfRangeException("options", value, $"Options.{name} must be {expected}.");
    }

    /// <summary>Trains on <paramref name="input"/> (its Features and Label columns).</summary>
    public ImageClassificationPredictionTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var o = TrainingOptions;
        string source = GetType().Name;
        var shape = FeatureDataset.FeatureShape(input.Schema, o.FeatureColumnName);
        var classNames = FeatureDataset.ClassNamesOf(input.Schema, o.LabelColumnName);
        if (classNames.Length < 2)
            throw new ArgumentException($"label column '{o.LabelColumnName}' has a single class ('{classNames[0]}'); a classifier needs at least two.", nameof(input));
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(o.CancellationToken, _ctx.CancellationToken);
        var token = linked.Token;

        var train = FeatureDataset.Read(input, o.FeatureColumnName, o.LabelColumnName, "the training data", token);
        var present = train.GetLabels().Distinct().ToArray();
        if (present.Length < 2)
            throw new ArgumentException($"the training data has one class only ('{classNames[present[0]]}' in column '{o.LabelColumnName}'); a classifier needs examples of at least two.", nameof(input));
        FeatureDataset? validation = null;
        if (o.ValidationSet is { } vs)
        {
            var vShape = FeatureDataset.FeatureShape(vs.Schema, o.FeatureColumnName);
            if (vShape != shape)
                throw new ArgumentException($"the ValidationSet's '{o.FeatureColumnName}' is [{vShape.C}, {vShape.H}, {vShape.W}]; the training data's is [{shape.C}, {shape.H}, {shape.W}].", nameof(input));
            var vNames = FeatureDataset.ClassNamesOf(vs.Schema, o.LabelColumnName);
            if (!vNames.SequenceEqual(classNames))
                throw new ArgumentException($"the ValidationSet's '{o.LabelColumnName}' keys ({string.Join(", ", vNames)}) differ from the training data's ({string.Join(", ", classNames)}); transform it with the same fitted MapValueToKey.", nameof(input));
            validation = FeatureDataset.Read(vs, o.FeatureColumnName, o.LabelColumnName, "the ValidationSet", token);
        }

        int seed = o.Seed ?? _ctx.NextSeed();
        var architecture = Architecture();
        var model = architecture.Create(shape.C, classNames.Length, seed);
        var trainerOptions = new TrainerOptions
        {
            Epochs = o.Epoch,
            LearningRate = o.LearningRate,
            Optimizer = o.Optimizer,
            Schedule = o.Schedule,
            WeightDecay = o.WeightDecay,
            LabelSmoothing = o.LabelSmoothing,
            EarlyStopping = o.EarlyStoppingCriteria?.Metric ?? EarlyStoppingMetric.None,
            Patience = o.EarlyStoppingCriteria?.Patience ?? 5,
            MinDelta = o.EarlyStoppingCriteria?.MinDelta ?? 0,
            CheckpointDirectory = o.CheckpointDirectory,
        };
        if (trainerOptions.EarlyStopping != EarlyStoppingMetric.None && validation is null)
            throw new ArgumentException("Options.EarlyStoppingCriteria needs Options.ValidationSet.", nameof(input));

        _ctx.WriteLog(source, $"training {architecture} ({o.Backend?.ToString() ?? "managed"}) on {train.Count} images [{shape.C}, {shape.H}, {shape.W}] of {classNames.Length} classes"
            + (validation is null ? "" : $", validating on {validation.Count}") + $", {o.Epoch} epochs of batch {o.BatchSize}, seed {seed}.");
        using var trainLoader = new DataLoader(train, new DataLoaderOptions { BatchSize = o.BatchSize, Shuffle = true, Seed = (ulong)(uint)seed, Transform = o.Augmentation });
        using var validLoader = validation is null ? null : new DataLoader(validation, new DataLoaderOptions { BatchSize = o.BatchSize, Shuffle = false });
        var progress = new CallbackProgress(p =>
        {
            o.MetricsCallback?.Invoke(p);
            if (p.Kind == ProgressKind.EpochEnd)
                _ctx.WriteLog(source, string.Format(CultureInfo.InvariantCulture,
                    "epoch {0}/{1}: loss {2:F4}, accuracy {3:F4}{4}, lr {5:G4}, {6:F1} images/s",
                    p.Epoch + 1, p.Epochs, p.Loss, p.Accuracy,
                    p.ValidationLoss is { } vl ? string.Format(CultureInfo.InvariantCulture, ", validation loss {0:F4}, accuracy {1:F4}", vl, p.ValidationAccuracy) : "",
                    p.LearningRate, p.ImagesPerSecond));
        });
        // The managed engine trains the model in place; another backend trains its own copy of the spec's network.
        using var session = o.Backend is null or ManagedBackend
            ? (o.Backend as ManagedBackend ?? new ManagedBackend(o.Threads)).CreateSession(model, trainerOptions)
            : o.Backend.CreateSession(model.Spec!, trainerOptions, seed);
        TrainingResult result;
        try
        {
            result = new Trainer(trainerOptions).Fit(session, new LoaderBatchSource(trainLoader),
                validLoader is null ? null : new LoaderBatchSource(validLoader), progress, token);
            if (session is not ManagedSession) model.LoadStateDict(session.StateDict());
        }
        finally { model.Eval(); }
        _ctx.WriteLog(source, $"finished: {result.StopReason} after {result.History.Count} epochs ({result.Iterations} steps).");
        return new ImageClassificationPredictionTransformer(model, architecture, classNames, shape,
            o.FeatureColumnName, o.ScoreColumnName, o.PredictedLabelColumnName, Math.Max(o.BatchSize, 16)) { TrainingResult = result };
    }

    /// <summary>Reports synchronously on the training thread (Progress&lt;T&gt; would post to the thread pool).</summary>
    private sealed class CallbackProgress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }
}
