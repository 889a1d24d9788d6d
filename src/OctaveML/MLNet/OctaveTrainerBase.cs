using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using OctaveML.Data;
using OctaveML.Data.Augmentations;
using OctaveML.MLNet;
using OctaveML.Models;
using OctaveML.Onnx;
using OctaveML.Threading;
using OctaveML.Training;

namespace OctaveML;

/// <summary>
/// The Fit shared by the OctaveML trainers (the shape of ML.NET's TorchSharp trainers: the base owns
/// the loop, each family supplies its <see cref="ModelSpec"/>). Fit reads the feature and label columns
/// once into a compact cache (checking image files first), holds out or reads validation data, computes
/// the per-channel input normalisation from the training images, loads initial weights when fine-tuning,
/// trains the network on the options' backend (the managed engine by default; head-only fine-tuning trains
/// the head on cached backbone features) and returns ML.NET's own transformers that score it (Score
/// and PredictedLabel columns).
/// </summary>
public abstract class OctaveTrainerBase<TOptions> : IEstimator<ITransformer>
    where TOptions : OctaveTrainerOptions
{
    private const string TrainingData = "the training data", ValidationData = "the ValidationSet";

    // An estimator returned by a catalog extension method cannot reach the user's MLContext.
    private readonly MLContext _ml;

    private protected OctaveTrainerBase(MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog, TOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(options);
        TrainingOptions = options;
        Validate();
        _ml = new MLContext(options.Seed);
    }

    /// <summary>The options (read again, and validated again, by every Fit).</summary>
    public TOptions TrainingOptions { get; }

    /// <summary>What the last Fit did: epochs, skipped images, cache, normalisation. Null before the first Fit.</summary>
    public TrainingReport? LastTrainingReport { get; private set; }

    /// <summary>The family's network for <paramref name="numClasses"/> classes and <paramref name="inChannels"/> channels, from the options.</summary>
    private protected abstract ModelSpec CreateSpec(int numClasses, int inChannels);

    private string Name => GetType().Name;

    /// <summary>
    /// Trains on <paramref name="input"/> and returns the transformers that score new rows: they add
    /// the Score (class probabilities) and PredictedLabel (key) columns and can be saved with
    /// <c>mlContext.Model.Save</c>.
    /// </summary>
    public ITransformer Fit(IDataView input) => Scorer(Train(input), input.Schema);

    /// <summary>
    /// ML.NET's transformers that score <paramref name="trained"/> on data of <paramref name="inputSchema"/>:
    /// the network exported to ONNX with the training normalisation folded in, then ApplyOnnxModel, argmax
    /// and the key mapping of PredictedLabel.
    /// </summary>
    internal ITransformer Scorer(TrainedModel trained, DataViewSchema inputSchema)
    {
        var o = TrainingOptions;
        byte[] onnx = OnnxExport.ToOnnx(trained.Model, new OnnxExportOptions
        {
            ClassNames = trained.ClassNames, Height = trained.Shape.Height, Width = trained.Shape.Width,
            Mean = trained.Mean, Std = trained.Std, InputName = o.FeatureColumnName, OutputName = o.ScoreColumnName,
        });
        var keyValues = new VBuffer<ReadOnlyMemory<char>>(trained.ClassNames.Length, trained.ClassNames.Select(n => n.AsMemory()).ToArray());
        return OnnxScoringChain.Create(_ml, onnx, inputSchema, o.FeatureColumnName, o.ScoreColumnName, o.PredictedLabelColumnName, keyValues);
    }

    /// <summary>
    /// The input columns plus Score and PredictedLabel, as ML.NET's multiclass trainers describe them.
    /// Throws when the label is not a key column or the features are not a known-size Single vector.
    /// </summary>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        Validate();
        var o = TrainingOptions;
        var label = inputSchema.FirstOrDefault(c => c.Name == o.LabelColumnName);
        if (label.Name is null)
            throw new ArgumentException($"label column '{o.LabelColumnName}' (Options.LabelColumnName) is not in the input schema.", nameof(OctaveTrainerOptions.LabelColumnName));
        if (!label.IsKey || label.Kind != SchemaShape.Column.VectorKind.Scalar)
            throw new ArgumentException($"label column '{o.LabelColumnName}' must be a key type; apply MapValueToKey(\"{o.LabelColumnName}\") before the trainer.",
                nameof(OctaveTrainerOptions.LabelColumnName));
        var features = inputSchema.FirstOrDefault(c => c.Name == o.FeatureColumnName);
        if (features.Name is null)
            throw new ArgumentException($"feature column '{o.FeatureColumnName}' (Options.FeatureColumnName) is not in the input schema.", nameof(OctaveTrainerOptions.FeatureColumnName));
        if (features.Kind != SchemaShape.Column.VectorKind.Vector || features.ItemType != NumberDataViewType.Single)
            throw new ArgumentException($"feature column '{o.FeatureColumnName}' must be a known-size vector of Single (planar pixels, as ExtractPixels makes after ResizeImages).",
                nameof(OctaveTrainerOptions.FeatureColumnName));
        return ScoreSchemaShape.Of(_ml, inputSchema, o.LabelColumnName, o.FeatureColumnName, o.ScoreColumnName, o.PredictedLabelColumnName);
    }

    /// <summary>Everything Fit does up to the trained network (what scoring is built from).</summary>
    internal TrainedModel Train(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        Validate();
        var o = TrainingOptions;
        var data = ReadImages(input);
        var (trainSet, validationSet, shape, classNames) = (data.Train, data.Validation, data.Shape, data.ClassNames);

        var spec = CreateSpec(classNames.Length, shape.Channels);
        var model = spec.CreateModel(o.Seed);
        var initial = o.InitialWeights is { } path ? LoadInitialWeights(model, path) : null;
        var (mean, std) = InputNormalization(trainSet, initial);
        var fineTune = initial is null ? null : o.FineTune ?? FineTuning.AllLayers();
        Note($"{Name}: {(fineTune is null ? "training" : $"fine-tuning, {fineTune},")} {spec.DisplayName} ({o.Backend?.ToString() ?? "managed"}) on {trainSet.Count} images {shape} of {classNames.Length} classes"
            + (validationSet is null ? "" : $", validating on {validationSet.Count}") + $", {o.Epoch} epochs of batch {o.BatchSize}, seed {o.Seed}.");

        var progress = new CallbackProgress(p => o.MetricsCallback?.Invoke(new ImageClassificationMetric(train: p)));
        var trainerOptions = ToTrainerOptions(fineTune);
        (TrainingResult Result, string Description) trained;
        try
        {
            trained = fineTune is { Mode: FineTuneMode.HeadOnly }
                ? TrainHead(model, shape, classNames, mean, std, trainSet, validationSet, trainerOptions, progress)
                : TrainNetwork(model, spec, mean, std, trainSet, validationSet, trainerOptions, initial is not null, progress);
        }
        finally { model.Eval(); }

        var (t, v) = (data.TrainRead, data.ValidationRead);
        var report = new TrainingReport
        {
            Spec = spec, Backend = trained.Description, Training = trained.Result, ClassNames = classNames, ImageShape = (shape.Channels, shape.Height, shape.Width),
            Mean = mean, Std = std, TrainingImages = trainSet.Count, ValidationImages = validationSet?.Count ?? 0,
            SkippedImages = [.. t.Skipped, .. v?.Skipped ?? []],
            UnlabelledRows = t.UnlabelledRows + (v?.UnlabelledRows ?? 0),
            CheckedImageFiles = t.CheckedFiles + (v?.CheckedFiles ?? 0),
            UncheckedImageFiles = t.UncheckedFiles + (v?.UncheckedFiles ?? 0),
            ByteCache = t.Cache.IsBytes, CacheBytes = t.Cache.SizeInBytes + (v?.Cache.SizeInBytes ?? 0),
            InitialWeights = initial, FineTune = fineTune,
        };
        LastTrainingReport = report;
        return new TrainedModel(model, spec, shape, classNames, mean, std, report);
    }

    /// <summary>Trains the whole network (from scratch, or all layers from initial weights) on the options' backend.</summary>
    private (TrainingResult Result, string Description) TrainNetwork(ImageClassifier model, ModelSpec spec, float[] mean, float[] std, IImageDataset trainSet, IImageDataset? validationSet,
        TrainerOptions trainerOptions, bool loaded, IProgress<TrainingProgress> progress)
    {
        var o = TrainingOptions;
        var normalize = new Normalize(mean, std);
        ulong seed = (ulong)(uint)o.Seed;
        using var trainBatches = new CacheBatchSource(trainSet, o.BatchSize, shuffle: true, seed, fillLastBatch: true, Augmentations(normalize, seed));
        using var validationBatches = validationSet is null ? null
            : new CacheBatchSource(validationSet, o.BatchSize, shuffle: false, seed: 0, fillLastBatch: false, normalize);
        // The managed engine trains the model in place; another backend trains the spec from the same initial weights.
        using var session = o.Backend is null or ManagedBackend
            ? (o.Backend as ManagedBackend ?? ManagedBackend.Default).CreateSession(model, trainerOptions)
            : o.Backend.CreateSession(spec, trainerOptions, o.Seed);
        if (loaded && session is not ManagedSession) session.LoadStateDict(model.StateDict());
        var result = new Trainer(trainerOptions).Fit(session, trainBatches, validationBatches, progress, o.CancellationToken);
        if (session is not ManagedSession) model.LoadStateDict(session.StateDict());
        return (result, session.Description);
    }

    /// <summary>
    /// Head-only fine-tuning: the frozen backbone's features of every image, once (ONNX Runtime, eval mode), then
    /// the head alone trained on them by the same loop (schedule, validation, early stopping, checkpoints); the
    /// trained head goes back into <paramref name="model"/>, whose backbone keeps the loaded weights bit for bit.
    /// </summary>
    private (TrainingResult Result, string Description) TrainHead(ImageClassifier model, ImageShape shape, string[] classNames, float[] mean, float[] std,
        IImageDataset trainSet, IImageDataset? validationSet, TrainerOptions trainerOptions, IProgress<TrainingProgress> progress)
    {
        var o = TrainingOptions;
        int threads = (o.Backend as ManagedBackend)?.Threads ?? Parallelism.Threads;
        var clock = Stopwatch.StartNew();
        BottleneckDataset train;
        BottleneckDataset? validation;
        using (var backbone = new BottleneckFeatures(model, shape, classNames, mean, std, threads))
        {
            train = backbone.Compute(trainSet, o.CancellationToken);
            validation = validationSet is null ? null : backbone.Compute(validationSet, o.CancellationToken);
        }
        Note(string.Create(CultureInfo.InvariantCulture,
            $"{Name}: head only: the frozen backbone's {train.Channels} features of each of {trainSet.Count + (validationSet?.Count ?? 0)} images computed once by ONNX Runtime " +
            $"({threads} threads) in {clock.Elapsed.TotalSeconds:0.00} s; the head ({classNames.Length} x {train.Channels}) trains on them on the managed engine") +
            (o.Backend is null or ManagedBackend ? "." : $" ({o.Backend} is not used: nothing else learns)."));

        ulong seed = (ulong)(uint)o.Seed;
        using var trainBatches = new CacheBatchSource(train, o.BatchSize, shuffle: true, seed, fillLastBatch: true, new Compose());
        using var validationBatches = validation is null ? null
            : new CacheBatchSource(validation, o.BatchSize, shuffle: false, seed: 0, fillLastBatch: false, new Compose());
        using var head = new HeadSession(model, trainerOptions, threads);
        var result = new Trainer(trainerOptions).Fit(head, trainBatches, validationBatches, progress, o.CancellationToken);
        model.LoadStateDict(head.StateDict(), strict: false);
        return (result, head.Description);
    }

    /// <summary>Loads <see cref="OctaveTrainerOptions.InitialWeights"/> into <paramref name="model"/> (all or nothing) and says what it did.</summary>
    private InitialWeightsReport LoadInitialWeights(ImageClassifier model, string path)
    {
        var report = InitialWeights.Load(model, path);
        Note($"{Name}: initial weights from {path} ({report.Format}): {report.Loaded.Count} tensors loaded" + (report.HeadReinitialized
            ? $"; the file's head '{ImageClassifier.HeadName}' is for {report.FileNumClasses} classes and the data has {model.NumClasses}, so the head is re-initialised (seed {TrainingOptions.Seed})."
            : "."));
        return report;
    }

    /// <summary>
    /// The input normalisation: the one an OctaveML safetensors file says its weights were trained with, else the
    /// per-channel mean and standard deviation of the training images (1 for a constant channel).
    /// </summary>
    private (float[] Mean, float[] Std) InputNormalization(IImageDataset trainSet, InitialWeightsReport? initial)
    {
        var (mean, std) = ChannelStatistics.Compute(trainSet);
        for (int c = 0; c < std.Length; c++) if (!(std[c] > 0)) std[c] = 1; // a constant channel: (x - mean) / 1
        if (initial?.Metadata is not { } properties || !OnnxModelMetadata.IsOctaveModel(properties)) return (mean, std);
        OnnxModelMetadata file;
        try { file = OnnxModelMetadata.FromProperties(properties); }
        catch (FormatException e)
        {
            throw new InvalidDataException($"{initial.Path}: its OctaveML metadata cannot be read ({e.Message}); Options.InitialWeights needs a readable file.", e);
        }
        if (file.Mean.Count != mean.Length)
            throw new InvalidDataException($"{initial.Path} was trained on images of {file.Mean.Count} channels (input_mean); the training images have {mean.Length}.");
        static string List(IEnumerable<float> values) => string.Join(", ", values.Select(v => v.ToString("G4", CultureInfo.InvariantCulture)));
        Note($"{Name}: input normalisation from {initial.Path}, which the weights were trained with: mean [{List(file.Mean)}], std [{List(file.Std)}] " +
             $"(the training images' own: mean [{List(mean)}], std [{List(std)}]).");
        return (file.Mean.ToArray(), file.Std.ToArray());
    }

    /// <summary>The images to train and validate on, read from the data views.</summary>
    private sealed record Images(IImageDataset Train, IImageDataset? Validation, ImageShape Shape, string[] ClassNames,
        FeatureReadResult TrainRead, FeatureReadResult? ValidationRead);

    /// <summary>
    /// Checks the columns of the training data and the ValidationSet, reads both into caches and, with
    /// a ValidationSetFraction, splits the training images.
    /// </summary>
    private Images ReadImages(IDataView input)
    {
        var o = TrainingOptions;
        var classNames = TrainingColumns.ClassNames(input.Schema, o.LabelColumnName, TrainingData);
        var shape = TrainingColumns.FeatureShape(input.Schema, o.FeatureColumnName, TrainingData);
        int smaller = Math.Min(shape.Height, shape.Width);
        if (o.Augmentation is { CropPadding: var pad } && pad > smaller)
            throw new ArgumentOutOfRangeException("Augmentation.CropPadding", pad,
                $"{Name}.Options.Augmentation.CropPadding is {pad}; it can be at most the images' smaller side ({smaller} for {shape}).");
        if (o.ValidationSet is { } vs)
        {
            var vNames = TrainingColumns.ClassNames(vs.Schema, o.LabelColumnName, ValidationData);
            if (!vNames.SequenceEqual(classNames))
                throw new ArgumentException(
                    $"the ValidationSet's label keys ({string.Join(", ", vNames)}) differ from the training data's ({string.Join(", ", classNames)}); " +
                    "transform it with the same fitted MapValueToKey.", nameof(OctaveTrainerOptions.ValidationSet));
            var vShape = TrainingColumns.FeatureShape(vs.Schema, o.FeatureColumnName, ValidationData);
            if (vShape != shape)
                throw new ArgumentException($"the ValidationSet's '{o.FeatureColumnName}' is {vShape}; the training data's is {shape}.", nameof(OctaveTrainerOptions.ValidationSet));
        }

        var settings = new FeatureReadSettings(o.FeatureColumnName, o.LabelColumnName, o.ImagePathColumnName, o.ImageFolder, o.InvalidImages);
        var train = FeatureReader.Read(input, TrainingData, shape, classNames, settings, o.MetricsCallback, o.CancellationToken);
        Note(Describe(train, TrainingData, shape));
        if (train.Cache.Count == 0)
            throw new ArgumentException($"the training data has no usable rows ({Lost(train)}).", "input");
        FeatureReadResult? validation = null;
        if (o.ValidationSet is { } validationSet)
        {
            validation = FeatureReader.Read(validationSet, ValidationData, shape, classNames, settings, o.MetricsCallback, o.CancellationToken);
            Note(Describe(validation, ValidationData, shape));
            if (validation.Cache.Count == 0)
                throw new ArgumentException($"the ValidationSet has no usable rows ({Lost(validation)}).", nameof(OctaveTrainerOptions.ValidationSet));
        }

        IImageDataset trainSet = train.Cache;
        IImageDataset? validationImages = validation?.Cache;
        if (o.ValidationSetFraction is { } fraction)
        {
            var (t, v) = DatasetSplit.Stratified(train.Cache, fraction, (ulong)(uint)o.Seed);
            if (v.Count == 0 || t.Count == 0)
                throw new ArgumentOutOfRangeException(nameof(OctaveTrainerOptions.ValidationSetFraction), fraction,
                    $"{Name}.Options.ValidationSetFraction = {fraction} of {train.Cache.Count} images leaves {t.Count} to train on and {v.Count} to validate on; both need at least one.");
            (trainSet, validationImages) = (t, v);
        }
        var present = Enumerable.Range(0, trainSet.Count).Select(trainSet.GetLabel).Distinct().Take(2).ToArray();
        if (present.Length < 2)
            throw new ArgumentException(
                $"the training images are all of one class ('{classNames[present[0]]}' in column '{o.LabelColumnName}'); a classifier needs examples of at least two.", "input");
        return new Images(trainSet, validationImages, shape, classNames, train, validation);
    }

    /// <summary>The engine's training options: the one place the shared options map onto the training loop.</summary>
    private TrainerOptions ToTrainerOptions(FineTuning? fineTune)
    {
        var o = TrainingOptions;
        var options = new TrainerOptions
        {
            Epochs = o.Epoch,
            LearningRate = o.LearningRate,
            Optimizer = o.Optimizer,
            Schedule = o.Schedule,
            WeightDecay = o.WeightDecay,
            LabelSmoothing = o.LabelSmoothing,
            CheckpointDirectory = o.CheckpointDirectory,
            BackboneLearningRateFactor = fineTune?.BackboneLearningRateFactor ?? 1,
            FreezeBatchNormStatistics = fineTune?.FreezeBatchNormStatistics ?? false,
        };
        return o.EarlyStoppingCriteria is not { } stop ? options : options with
        {
            EarlyStopping = stop.Metric, Patience = stop.Patience, MinDelta = stop.MinDelta, RestoreBestWeights = true,
        };
    }

    /// <summary>Normalisation, then the augmentation the options ask for (so crop padding and erased rectangles are the mean colour).</summary>
    private IBatchTransform Augmentations(Normalize normalize, ulong seed)
    {
        if (TrainingOptions.Augmentation is not { } a) return normalize;
        var transforms = new List<IBatchTransform> { normalize };
        if (a.CropPadding > 0) transforms.Add(new RandomCrop(a.CropPadding, seed));
        if (a.HorizontalFlip) transforms.Add(new RandomHorizontalFlip(0.5, seed));
        if (a.ErasingProbability > 0) transforms.Add(new RandomErasing(a.ErasingProbability, seed));
        return new Compose(transforms.ToArray());
    }

    private void Note(string message) => TrainingOptions.MetricsCallback?.Invoke(new ImageClassificationMetric(message: message));

    private static string Describe(FeatureReadResult r, string data, ImageShape shape)
    {
        var c = r.Cache;
        string cache = c.IsBytes ? $"cached as bytes ({c.SizeInBytes:N0} bytes)" : $"cached as float32 ({c.SizeInBytes:N0} bytes) because {c.FallbackReason}";
        string files = r.CheckedFiles + r.UncheckedFiles == 0 ? "" : $"; {r.CheckedFiles} image files checked";
        string unchecked_ = r.UncheckedFiles == 0 ? "" :
            $"; {r.UncheckedFiles} not checked: their relative paths resolve neither under Options.ImageFolder nor as given (set ImageFolder to the folder given to LoadImages)";
        return $"read {c.Count} images {shape} of {data}, {cache}{files}{unchecked_}" +
            (r.Skipped.Count > 0 ? $"; {r.Skipped.Count} rows skipped for invalid images" : "") +
            (r.UnlabelledRows > 0 ? $"; {r.UnlabelledRows} rows without a label left out" : "") + ".";
    }

    private static string Lost(FeatureReadResult r) => $"{r.Skipped.Count} skipped for invalid images, {r.UnlabelledRows} without a label";

    /// <summary>Checks every option, the network's too; throws <see cref="ArgumentException"/> naming it.</summary>
    private void Validate()
    {
        TrainingOptions.Validate(Name);
        try
        {
            CreateSpec(2, 3).Validate();
        }
        catch (ArgumentOutOfRangeException e)
        {
            string reason = e.Message.Split(" (Parameter")[0].Split(Environment.NewLine)[0];
            throw new ArgumentOutOfRangeException(e.ParamName, e.ActualValue, $"{Name}.Options.{e.ParamName} is {e.ActualValue}: {reason}");
        }
    }

    /// <summary>Reports on the training thread (Progress&lt;T&gt; would post to the thread pool).</summary>
    private sealed class CallbackProgress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }
}
