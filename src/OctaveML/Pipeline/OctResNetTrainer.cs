using OctaveML.Models;

namespace OctaveML.Pipeline;

/// <summary>Trains an <see cref="Models.OctResNet"/> (ImageNet-style ResNet-26/50/101/152/200 with octave convolutions).</summary>
public sealed class OctResNetTrainer : ImageClassificationTrainerBase<OctResNetTrainer.Options>
{
    /// <summary>OctResNet options: the shared ones plus the network's shape.</summary>
    public sealed class Options : ImageClassificationTrainerOptions
    {
        /// <summary>26, 50 (default), 101, 152 or 200.</summary>
        public int Depth { get; set; } = 50;

        /// <summary>Low-frequency share of the channels, in [0, 1) (default 0.5; 0 is the plain ResNet).</summary>
        public float Alpha { get; set; } = 0.5f;

        /// <summary>ImageNet stem (7x7/2 + max pool, for 224 px; default) or Small (3x3/1, for 28-64 px).</summary>
        public ResNetStem Stem { get; set; } = ResNetStem.ImageNet;
    }

    internal OctResNetTrainer(OctaveContext ctx, Options options) : base(ctx, options) { }

    private protected override ModelArchitecture Architecture()
    {
        if (!Models.OctResNet.Depths.Contains(TrainingOptions.Depth))
            throw new ArgumentOutOfRangeException("options", TrainingOptions.Depth, $"Options.Depth must be one of {string.Join(", ", Models.OctResNet.Depths)}.");
        CheckAlpha(TrainingOptions.Alpha);
        return ModelArchitecture.OctResNet(TrainingOptions.Depth, TrainingOptions.Alpha, TrainingOptions.Stem);
    }

    internal static void CheckAlpha(float alpha)
    {
        if (!(alpha >= 0 && alpha < 1)) throw new ArgumentOutOfRangeException("options", alpha, "Options.Alpha must be in [0, 1).");
    }
}

/// <summary>Trains an <see cref="Models.OctCifarResNet"/> (CIFAR-style ResNet-20/32/44/56/110 with octave convolutions, for 28-32 px images).</summary>
public sealed class OctCifarResNetTrainer : ImageClassificationTrainerBase<OctCifarResNetTrainer.Options>
{
    /// <summary>OctCifarResNet options: the shared ones plus the network's shape.</summary>
    public sealed class Options : ImageClassificationTrainerOptions
    {
        /// <summary>6n + 2: 20 (default), 32, 44, 56, 110...</summary>
        public int Depth { get; set; } = 20;

        /// <summary>Low-frequency share of the channels, in [0, 1) (default 0.5).</summary>
        public float Alpha { get; set; } = 0.5f;
    }

    internal OctCifarResNetTrainer(OctaveContext ctx, Options options) : base(ctx, options) { }

    private protected override ModelArchitecture Architecture()
    {
        if (TrainingOptions.Depth < 8 || (TrainingOptions.Depth - 2) % 6 != 0)
            throw new ArgumentOutOfRangeException("options", TrainingOptions.Depth, "Options.Depth must be 6n + 2 with n >= 1 (20, 32, 44, 56, 110...).");
        OctResNetTrainer.CheckAlpha(TrainingOptions.Alpha);
        return ModelArchitecture.OctCifarResNet(TrainingOptions.Depth, TrainingOptions.Alpha);
    }
}

/// <summary>Trains an <see cref="Models.OctMobileNet"/> (MobileNetV1 with octave convolutions).</summary>
public sealed class OctMobileNetTrainer : ImageClassificationTrainerBase<OctMobileNetTrainer.Options>
{
    /// <summary>OctMobileNet options: the shared ones plus the network's shape.</summary>
    public sealed class Options : ImageClassificationTrainerOptions
    {
        /// <summary>Low-frequency share of the channels, in [0, 1) (default 0.5).</summary>
        public float Alpha { get; set; } = 0.5f;

        /// <summary>MobileNet's width multiplier, in (0, 4] (default 1).</summary>
        public float WidthMultiplier { get; set; } = 1f;
    }

    internal OctMobileNetTrainer(OctaveContext ctx, Options options) : base(ctx, options) { }

    private protected override ModelArchitecture Architecture()
    {
        OctResNetTrainer.CheckAlpha(TrainingOptions.Alpha);
        if (!(TrainingOptions.WidthMultiplier > 0 && TrainingOptions.WidthMultiplier <= 4))
            throw new ArgumentOutOfRangeException("options", TrainingOptions.WidthMultiplier, "Options.WidthMultiplier must be in (0, 4].");
        return ModelArchitecture.OctMobileNet(TrainingOptions.Alpha, TrainingOptions.WidthMultiplier);
    }
}

/// <summary>The multiclass trainers (ML.NET's <c>MulticlassClassificationCatalog.MulticlassClassificationTrainers</c>).</summary>
public sealed class MulticlassClassificationTrainers
{
    private readonly OctaveContext _ctx;

    internal MulticlassClassificationTrainers(OctaveContext ctx) => _ctx = ctx;

    /// <summary>An OctResNet trainer (default options: depth 50, alpha 0.5, ImageNet stem).</summary>
    public OctResNetTrainer OctResNet(OctResNetTrainer.Options? options = null) => new(_ctx, options ?? new());

    /// <summary>An OctCifarResNet trainer (default options: depth 20, alpha 0.5).</summary>
    public OctCifarResNetTrainer OctCifarResNet(OctCifarResNetTrainer.Options? options = null) => new(_ctx, options ?? new());

    /// <summary>An OctMobileNet trainer (default options: alpha 0.5, width 1).</summary>
    public OctMobileNetTrainer OctMobileNet(OctMobileNetTrainer.Options? options = null) => new(_ctx, options ?? new());
}
