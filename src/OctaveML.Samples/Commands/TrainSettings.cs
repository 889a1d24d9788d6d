using System.Globalization;
using OctaveML.Training;

namespace OctaveML.Samples.Commands;

/// <summary>
/// The options of <c>train</c>. Null means "the default for the dataset" (see <see cref="TrainCommand"/>);
/// <see cref="Validate"/> throws a <see cref="UsageException"/> naming the option for a bad value.
/// </summary>
public sealed record TrainSettings
{
    /// <summary>The model names <c>--model</c> accepts.</summary>
    public static readonly string[] Models = ["oct-resnet", "oct-cifar-resnet", "oct-mobilenet"];
    /// <summary>The optimizer names <c>--optimizer</c> accepts.</summary>
    public static readonly string[] Optimizers = ["sgd", "adamw"];
    /// <summary>The schedule names <c>--schedule</c> accepts.</summary>
    public static readonly string[] Schedules = ["constant", "step", "cosine", "onecycle"];
    /// <summary>The backend names <c>--backend</c> accepts.</summary>
    public static readonly string[] Backends = ["managed", "torchsharp"];
    /// <summary>The augmentation names <c>--augment</c> accepts (a comma-separated list, or none).</summary>
    public static readonly string[] Augmentations = ["crop", "flip", "none"];
    /// <summary>The device names <c>--device</c> accepts.</summary>
    public static readonly string[] Devices = ["cpu", "cuda"];
    /// <summary>The modes <c>--fine-tune</c> accepts: every layer, or the classifier head alone.</summary>
    public static readonly string[] FineTuneModes = ["all", "head"];

    /// <summary>--model: oct-resnet, oct-cifar-resnet or oct-mobilenet (default per dataset).</summary>
    public string? Model { get; init; }
    /// <summary>--depth (default 20 for oct-cifar-resnet, 26 for oct-resnet; ignored by oct-mobilenet).</summary>
    public int? Depth { get; init; }
    /// <summary>--alpha: low-frequency share of the channels, in [0, 1).</summary>
    public double Alpha { get; init; } = 0.5;
    /// <summary>--width: OctMobileNet's width multiplier.</summary>
    public double Width { get; init; } = 1.0;
    /// <summary>--size: square input side for image folders and manifests (default 224); IDX/CIFAR train at their native size.</summary>
    public int? Size { get; init; }
    /// <summary>--epochs (default per dataset).</summary>
    public int? Epochs { get; init; }
    /// <summary>--batch-size.</summary>
    public int BatchSize { get; init; } = 64;
    /// <summary>--optimizer: sgd or adamw (default adamw: the best of both on the shipped set in 6 epochs).</summary>
    public string Optimizer { get; init; } = "adamw";
    /// <summary>--lr: the base (peak) learning rate (default 0.1 for SGD, 0.002 for AdamW).</summary>
    public double? LearningRate { get; init; }
    /// <summary>--schedule: constant, step, cosine or onecycle.</summary>
    public string Schedule { get; init; } = "onecycle";
    /// <summary>--label-smoothing, in [0, 1).</summary>
    public double LabelSmoothing { get; init; }
    /// <summary>--weight-decay: decoupled for AdamW, L2 for SGD (default 0.05 for AdamW, 5e-4 for SGD).</summary>
    public double? WeightDecay { get; init; }
    /// <summary>--augment: random crop and/or horizontal flip as a comma-separated list, or none (default crop,flip; digits never flip).</summary>
    public string Augment { get; init; } = "crop,flip";
    /// <summary>--random-erasing: the chance that a rectangle of each training image is erased, in [0, 1] (default 0).</summary>
    public double RandomErasing { get; init; }
    /// <summary>--test-flip: also report the test accuracy of the average of each image's and its mirror's class probabilities.</summary>
    public bool TestFlip { get; init; }
    /// <summary>--threads of the backend (default: all processors for the managed engine, libtorch's own default for torchsharp).</summary>
    public int? Threads { get; init; }
    /// <summary>--backend: managed (OctaveML's engine) or torchsharp (libtorch 2.10 through TorchSharp).</summary>
    public string Backend { get; init; } = "managed";
    /// <summary>--device: cpu, or cuda (torchsharp only).</summary>
    public string Device { get; init; } = "cpu";
    /// <summary>--seed of weights, shuffling, splits and augmentation.</summary>
    public int Seed { get; init; }
    /// <summary>--data: IDX folder, CIFAR-10 folder, image folder or manifest (default: the shipped Fashion-MNIST subset).</summary>
    public string? Data { get; init; }
    /// <summary>--validation-fraction of the training images held out for per-epoch validation, in [0, 1).</summary>
    public double ValidationFraction { get; init; } = 0.1;
    /// <summary>--checkpoint-dir: where checkpoint.safetensors is written after every epoch.</summary>
    public string? CheckpointDirectory { get; init; }
    /// <summary>--resume: continue from the checkpoint in --checkpoint-dir.</summary>
    public bool Resume { get; init; }
    /// <summary>--max-train-images: train on a random sample of this many images (quick runs).</summary>
    public int? MaxTrainImages { get; init; }
    /// <summary>--model-out: where the fitted ML.NET model is saved (model.zip).</summary>
    public string? ModelOut { get; init; }
    /// <summary>--plot: the PNG the training curves are drawn to.</summary>
    public string? Plot { get; init; }
    /// <summary>--initial-weights: a .safetensors or PyTorch state-dict file the network starts from (a head for another class count is re-initialised).</summary>
    public string? InitialWeights { get; init; }
    /// <summary>--fine-tune: with --initial-weights, all (every layer learns, the backbone at 0.1 x the learning rate; the default) or head (the head alone).</summary>
    public string? FineTune { get; init; }

    /// <summary>Checks every value; throws <see cref="UsageException"/> naming the first bad option.</summary>
    public void Validate()
    {
        if (Model is not null && !Models.Contains(Model))
            throw Bad("--model", Model, string.Join(", ", Models));
        if (Depth is { } d && d < 1) throw Bad("--depth", d, "a positive depth (oct-cifar-resnet: 6n+2 such as 20, 32, 56; oct-resnet: 26, 50, 101, 152, 200)");
        if (!(Alpha >= 0 && Alpha < 1)) throw Bad("--alpha", Alpha, "a value in [0, 1)");
        if (!(Width > 0 && Width <= 4)) throw Bad("--width", Width, "a value in (0, 4]");
        if (Size is { } s && s is < 8 or > 1024) throw Bad("--size", s, "an image side in [8, 1024]");
        if (Epochs is { } e && e < 1) throw Bad("--epochs", e, "at least 1");
        if (BatchSize < 1) throw Bad("--batch-size", BatchSize, "at least 1");
        if (!Optimizers.Contains(Optimizer)) throw Bad("--optimizer", Optimizer, string.Join(" or ", Optimizers));
        if (LearningRate is { } lr && !(lr > 0 && double.IsFinite(lr))) throw Bad("--lr", lr, "a finite value > 0");
        if (!Schedules.Contains(Schedule)) throw Bad("--schedule", Schedule, string.Join(", ", Schedules));
        if (!(LabelSmoothing >= 0 && LabelSmoothing < 1)) throw Bad("--label-smoothing", LabelSmoothing, "a value in [0, 1)");
        if (WeightDecay is { } wd && !(wd >= 0 && double.IsFinite(wd))) throw Bad("--weight-decay", wd, "a finite value >= 0");
        var augment = AugmentList;
        if (augment.Length == 0 || augment.Any(a => !Augmentations.Contains(a)) || (augment.Contains("none") && augment.Length > 1) || augment.Distinct().Count() != augment.Length)
            throw Bad("--augment", Augment, "crop, flip or crop,flip (a comma-separated list), or none");
        if (!(RandomErasing >= 0 && RandomErasing <= 1)) throw Bad("--random-erasing", RandomErasing, "a probability in [0, 1]");
        if (Threads is { } t && t < 1) throw Bad("--threads", t, "at least 1");
        if (!Backends.Contains(Backend)) throw Bad("--backend", Backend, string.Join(" or ", Backends));
        if (!Devices.Contains(Device)) throw Bad("--device", Device, string.Join(" or ", Devices));
        if (Device != "cpu" && Backend != "torchsharp") throw Bad("--device", Device, "cpu with --backend managed (the managed engine runs on the CPU; --backend torchsharp runs on cuda)");
        if (Seed < 0) throw Bad("--seed", Seed, "0 or more");
        if (!(ValidationFraction >= 0 && ValidationFraction < 1)) throw Bad("--validation-fraction", ValidationFraction, "a value in [0, 1)");
        if (MaxTrainImages is { } m && m < 2) throw Bad("--max-train-images", m, "at least 2");
        if (Resume && CheckpointDirectory is null) throw new UsageException("--resume: needs --checkpoint-dir (the folder holding checkpoint.safetensors).");
        if (InitialWeights is { } w && !File.Exists(w))
            throw new UsageException($"--initial-weights: there is no file {w}" + (Path.IsPathRooted(w) ? "" : $" (resolved to {Path.GetFullPath(w)})") + ".");
        if (FineTune is { } f && !FineTuneModes.Contains(f)) throw Bad("--fine-tune", f, string.Join(" or ", FineTuneModes));
        if (FineTune is not null && InitialWeights is null)
            throw new UsageException("--fine-tune: needs --initial-weights (the pretrained network to fine-tune).");
    }

    /// <summary>The names in <see cref="Augment"/>, trimmed and lower-case.</summary>
    public string[] AugmentList => (Augment ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(a => a.ToLowerInvariant()).ToArray();

    /// <summary>Whether <see cref="Augment"/> asks for random crops.</summary>
    public bool AugmentCrop => AugmentList.Contains("crop");

    /// <summary>Whether <see cref="Augment"/> asks for horizontal flips.</summary>
    public bool AugmentFlip => AugmentList.Contains("flip");

    /// <summary>The optimizer kind of <see cref="Optimizer"/>.</summary>
    public OptimizerKind OptimizerKind => Optimizer == "adamw" ? OptimizerKind.AdamW : OptimizerKind.Sgd;

    /// <summary>The schedule kind of <see cref="Schedule"/>.</summary>
    public ScheduleKind ScheduleKind => Schedule switch
    {
        "constant" => ScheduleKind.Constant,
        "step" => ScheduleKind.Step,
        "cosine" => ScheduleKind.Cosine,
        _ => ScheduleKind.OneCycle,
    };

    private static UsageException Bad(string option, object value, string expected) =>
        new($"{option}: got {Convert.ToString(value, CultureInfo.InvariantCulture)}; expected {expected}.");
}
