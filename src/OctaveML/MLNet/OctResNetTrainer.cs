using Microsoft.ML;
using OctaveML.Models;

namespace OctaveML;

/// <summary>
/// Trains an OctResNet (ResNet-26/50/101/152/200 with octave convolutions; alpha 0 is the plain
/// ResNet) on images from ML.NET's LoadImages, ResizeImages and ExtractPixels. Made by
/// <c>mlContext.MulticlassClassification.Trainers.OctResNet(...)</c>.
/// </summary>
public sealed class OctResNetTrainer : OctaveTrainerBase<OctResNetTrainer.Options>
{
    /// <summary>OctResNet options: the shared ones plus the network's shape.</summary>
    public sealed class Options : OctaveTrainerOptions
    {
        /// <summary>26, 50 (default), 101, 152 or 200.</summary>
        public int Depth { get; set; } = 50;

        /// <summary>Low-frequency share of the channels, in [0, 1) (default 0.5; 0 is the plain ResNet).</summary>
        public float Alpha { get; set; } = 0.5f;

        /// <summary>ImageNet stem (7x7/2 convolution and max pool, for 224 px; default) or Small (3x3/1, for 28-64 px).</summary>
        public ResNetStem Stem { get; set; } = ResNetStem.ImageNet;
    }

    internal OctResNetTrainer(MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog, Options options) : base(catalog, options) { }

    private protected override ModelSpec CreateSpec(int numClasses, int inChannels) => new OctResNetSpec
    {
        Depth = TrainingOptions.Depth, Alpha = TrainingOptions.Alpha, Stem = TrainingOptions.Stem, NumClasses = numClasses, InChannels = inChannels,
    };
}
