using Microsoft.ML;
using OctaveML.Models;

namespace OctaveML;

/// <summary>
/// Trains an OctMobileNet (MobileNetV1 with octave convolutions; alpha 0 is the plain MobileNet).
/// Made by <c>mlContext.MulticlassClassification.Trainers.OctMobileNet(...)</c>.
/// </summary>
public sealed class OctMobileNetTrainer : OctaveTrainerBase<OctMobileNetTrainer.Options>
{
    /// <summary>OctMobileNet options: the shared ones plus the network's shape.</summary>
    public sealed class Options : OctaveTrainerOptions
    {
        /// <summary>Low-frequency share of the channels, in [0, 1) (default 0.5; 0 is the plain MobileNet).</summary>
        public float Alpha { get; set; } = 0.5f;

        /// <summary>Scales every layer's channels, in (0, 4] (default 1).</summary>
        public float WidthMultiplier { get; set; } = 1f;
    }

    internal OctMobileNetTrainer(MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog, Options options) : base(catalog, options) { }

    private protected override ModelSpec CreateSpec(int numClasses, int inChannels) => new OctMobileNetSpec
    {
        Alpha = TrainingOptions.Alpha, WidthMultiplier = TrainingOptions.WidthMultiplier, NumClasses = numClasses, InChannels = inChannels,
    };
}
