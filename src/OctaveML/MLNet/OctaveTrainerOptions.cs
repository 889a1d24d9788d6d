using Microsoft.ML;
using OctaveML.Training;

namespace OctaveML;

/// <summary>
/// What every OctaveML trainer takes. Names follow ML.NET's <c>ImageClassificationTrainer.Options</c>
/// where they mean the same (the column names, Epoch, BatchSize, LearningRate, MetricsCallback,
/// ValidationSet, ValidationSetFraction, EarlyStoppingCriteria, with ML.NET's defaults); the rest
/// choose the training recipe and how image files are checked. The network is trained from random
/// initial weights drawn from <see cref="Seed"/>, or fine-tuned from a pretrained network's
/// (<see cref="InitialWeights"/>, <see cref="FineTune"/>), as ML.NET's trainer fine-tunes one.
/// </summary>
public abstract class OctaveTrainerOptions
{
    /// <summary>The key column of classes (default "Label"; MapValueToKey makes it).</summary>
    public string LabelColumnName { get; set; } = "Label";

    /// <summary>The float vector column of planar pixels [C, H, W] (default "Features"; ExtractPixels makes it).</summary>
    public string FeatureColumnName { get; set; } = "Features";

    /// <summary>The column of class probabilities the fitted model writes (default "Score").</summary>
    public string ScoreColumnName { get; set; } = "Score";

    /// <summary>The key column of predicted classes the fitted model writes (default "PredictedLabel").</summary>
    public string PredictedLabelColumnName { get; set; } = "PredictedLabel";

    /// <summary>Passes over the training data (default 200, as ML.NET).</summary>
    public int Epoch { get; set; } = 200;

    /// <summary>Images per optimizer step (default 10, as ML.NET).</summary>
    public int BatchSize { get; set; } = 10;

    /// <summary>The base (peak) learning rate (default 0.01, as ML.NET).</summary>
    public float LearningRate { get; set; } = 0.01f;

    /// <summary>Called on the training thread after every batch and epoch, for each skipped image and with notes on the data.</summary>
    public Action<ImageClassificationMetric>? MetricsCallback { get; set; }

    /// <summary>
    /// Rows to validate on after each epoch, with the same feature and label columns as the training
    /// data (e.g. the fitted preprocessing's transform of held-out rows). Null: see <see cref="ValidationSetFraction"/>.
    /// </summary>
    public IDataView? ValidationSet { get; set; }

    /// <summary>
    /// A share of the training rows, in (0, 1), kept out of training to validate on: a stratified split
    /// (each class split on its own) drawn from <see cref="Seed"/>. Default null: no split. Not with <see cref="ValidationSet"/>.
    /// </summary>
    public float? ValidationSetFraction { get; set; }

    /// <summary>Early stopping on the validation data (default none).</summary>
    public EarlyStopping? EarlyStoppingCriteria { get; set; }

    /// <summary>
    /// Seed of the initial weights, the batch order, the augmentation and the validation split (default 0).
    /// The trainer cannot see the MLContext's seed, so it has its own: equal seeds give equal models.
    /// </summary>
    public int Seed { get; set; }

    /// <summary>SGD with momentum 0.9 (default) or AdamW.</summary>
    public OptimizerKind Optimizer { get; set; } = OptimizerKind.Sgd;

    /// <summary>The learning-rate schedule (default cosine over the run).</summary>
    public ScheduleKind Schedule { get; set; } = ScheduleKind.Cosine;

    /// <summary>Weight decay (default 5e-4): L2 for SGD, decoupled for AdamW.</summary>
    public float WeightDecay { get; set; } = 5e-4f;

    /// <summary>Label smoothing of the training loss, in [0, 1) (default 0).</summary>
    public float LabelSmoothing { get; set; }

    /// <summary>
    /// A weights file to start from instead of random initial weights (default null: train from scratch):
    /// fine-tuning a pretrained network. Either a .safetensors file (as <c>OctaveModelFile.SaveSafeTensors</c> and
    /// the samples' <c>export --safetensors</c> write it, or Hugging Face tools) or a PyTorch torch.save state dict
    /// (.pth, .pt, .pth.tar; the zip format or the legacy one; the dict itself, or a checkpoint dict that wraps
    /// it under "state_dict"; names with DataParallel's "module." prefix are accepted). Names and shapes must be
    /// those of the trainer's network (the reference's state_dict names, e.g. <c>layer1.0.conv1.conv.conv_h2h.weight</c>),
    /// with one exception: a classifier head ("fc") trained for another number of classes is re-initialised
    /// from <see cref="Seed"/>. Any other mismatch makes Fit throw a <see cref="Training.WeightsMismatchException"/>
    /// listing the missing, unexpected and misshapen names, before anything is trained: never a partial load.
    /// A safetensors file OctaveML exported also says which input normalisation the weights were trained with;
    /// the trainer keeps it (give the fine-tuning pipeline the same ExtractPixels settings). Otherwise the
    /// normalisation is the training images' per-channel mean and standard deviation, as from scratch.
    /// </summary>
    public string? InitialWeights { get; set; }

    /// <summary>
    /// What learns from <see cref="InitialWeights"/>: <see cref="FineTuning.HeadOnly"/> or
    /// <see cref="FineTuning.AllLayers"/>. Default null: <c>FineTuning.AllLayers()</c> (every layer, the backbone
    /// at 0.1 times the learning rate, batch-norm statistics updated). Only with InitialWeights: without a
    /// pretrained network it is an error, since a head trained on random features or a backbone slowed down
    /// for nothing is never what was meant.
    /// </summary>
    public FineTuning? FineTune { get; set; }

    /// <summary>Random crops, flips and erasing of the training images (default none).</summary>
    public ImageAugmentation? Augmentation { get; set; }

    /// <summary>
    /// What trains the network: null (default) for the managed engine, or a backend such as OctaveML.TorchSharp's
    /// <c>new TorchSharpBackend(device: "cuda")</c> (libtorch on a GPU). The fitted model is the same ONNX-backed
    /// transformer whichever backend trained it; a checkpoint written by one continues in the other.
    /// </summary>
    public ITrainingBackend? Backend { get; set; }

    /// <summary>Where to keep a checkpoint, so that an interrupted Fit with the same options and data resumes (default none).</summary>
    public string? CheckpointDirectory { get; set; }

    /// <summary>Stops Fit within one batch with <see cref="OperationCanceledException"/>.</summary>
    public CancellationToken CancellationToken { get; set; }

    /// <summary>
    /// The text column of image file paths (default "ImagePath"), used when the data has it: every file
    /// is checked before training (in parallel, with SkiaSharp's decoder, which LoadImages uses too),
    /// so that a missing, foreign or truncated file is reported by name instead of being trained on as a
    /// partial image. Null: no check.
    /// </summary>
    public string? ImagePathColumnName { get; set; } = "ImagePath";

    /// <summary>
    /// The folder given to LoadImages, which relative paths are resolved against (the trainer cannot see
    /// it). Null: paths are checked as given; relative paths that do not resolve are left unchecked
    /// (each Fit reports how many through <see cref="MetricsCallback"/>).
    /// </summary>
    public string? ImageFolder { get; set; }

    /// <summary>Throw on an image the trainer cannot use (default), or skip it and report it.</summary>
    public InvalidImageHandling InvalidImages { get; set; } = InvalidImageHandling.Throw;

    /// <summary>Checks every shared option; throws <see cref="ArgumentOutOfRangeException"/> naming it as "<paramref name="trainer"/>.Options.Name".</summary>
    internal void Validate(string trainer)
    {
        void Check(bool ok, string option, object? value, string expected)
        {
            if (!ok) throw new ArgumentOutOfRangeException(option, value, $"{trainer}.Options.{option} must be {expected}.");
        }
        string[] names = [LabelColumnName, FeatureColumnName, ScoreColumnName, PredictedLabelColumnName];
        string[] options = [nameof(LabelColumnName), nameof(FeatureColumnName), nameof(ScoreColumnName), nameof(PredictedLabelColumnName)];
        for (int i = 0; i < names.Length; i++)
        {
            Check(!string.IsNullOrWhiteSpace(names[i]), options[i], names[i], "a column name");
            for (int j = 0; j < i; j++)
                Check(names[i] != names[j], options[i], names[i], $"a column name other than {options[j]}'s");
        }
        Check(Epoch >= 1, nameof(Epoch), Epoch, "at least 1");
        Check(BatchSize >= 1, nameof(BatchSize), BatchSize, "at least 1");
        Check(float.IsFinite(LearningRate) && LearningRate > 0, nameof(LearningRate), LearningRate, "a finite value > 0");
        Check(float.IsFinite(WeightDecay) && WeightDecay >= 0, nameof(WeightDecay), WeightDecay, "a finite value >= 0");
        Check(LabelSmoothing is >= 0 and < 1, nameof(LabelSmoothing), LabelSmoothing, "in [0, 1)");
        Check(Enum.IsDefined(Optimizer), nameof(Optimizer), Optimizer, "Sgd or AdamW");
        Check(Enum.IsDefined(Schedule), nameof(Schedule), Schedule, "Constant, Step, Cosine or OneCycle");
        Check(Enum.IsDefined(InvalidImages), nameof(InvalidImages), InvalidImages, "Throw or Skip");
        Check(ValidationSetFraction is null or > 0 and < 1, nameof(ValidationSetFraction), ValidationSetFraction, "null or in (0, 1)");
        Check(ValidationSetFraction is null || ValidationSet is null, nameof(ValidationSetFraction), ValidationSetFraction,
            "null when ValidationSet is given (validate on one or the other)");
        Check(EarlyStoppingCriteria is null || ValidationSet is not null || ValidationSetFraction is not null,
            nameof(EarlyStoppingCriteria), "set", "null unless there is validation data (ValidationSet or ValidationSetFraction)");
        Check(Augmentation is null || Augmentation.CropPadding >= 0, "Augmentation.CropPadding", Augmentation?.CropPadding, "0 or more");
        Check(Augmentation is null || Augmentation.ErasingProbability is >= 0 and <= 1, "Augmentation.ErasingProbability", Augmentation?.ErasingProbability, "in [0, 1]");
        Check(ImagePathColumnName is null || !string.IsNullOrWhiteSpace(ImagePathColumnName), nameof(ImagePathColumnName), ImagePathColumnName,
            "a column name, or null for no image file checks");
        Check(ImageFolder is null || Directory.Exists(ImageFolder), nameof(ImageFolder), ImageFolder, "an existing folder (the one given to LoadImages), or null");
        Check(CheckpointDirectory is null || !string.IsNullOrWhiteSpace(CheckpointDirectory), nameof(CheckpointDirectory), CheckpointDirectory,
            "a folder path, or null for no checkpoints");
        Check(InitialWeights is null || !string.IsNullOrWhiteSpace(InitialWeights), nameof(InitialWeights), InitialWeights,
            "the path of a .safetensors or PyTorch (.pth, .pt, .pth.tar) weights file, or null to train from scratch");
        if (InitialWeights is { } weights && !File.Exists(weights))
            throw new FileNotFoundException(
                $"{trainer}.Options.InitialWeights: there is no file {weights}" + (Path.IsPathRooted(weights) ? "" : $" (resolved to {Path.GetFullPath(weights)})") + ".", weights);
        if (FineTune is not null && InitialWeights is null)
            throw new ArgumentException(
                $"{trainer}.Options.FineTune is {FineTune}, but InitialWeights is null: there is no pretrained network to fine-tune. " +
                "Set InitialWeights to a weights file, or leave FineTune null to train from scratch.", nameof(FineTune));
        if (FineTune is { Mode: FineTuneMode.HeadOnly } && Augmentation is not null)
            throw new ArgumentException(
                $"{trainer}.Options.FineTune is head only, which computes each image's features once, so the images cannot change from epoch to epoch; " +
                "leave Augmentation null, or fine-tune all layers (FineTuning.AllLayers()).", nameof(Augmentation));
    }
}
