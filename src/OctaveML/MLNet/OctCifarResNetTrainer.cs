using Microsoft.ML;
using OctaveML.Models;

namespace OctaveML;

/// <summary>
/// Trains an OctCifarResNet (the CIFAR ResNets of depth 6n + 2 with octave convolutions, for 28-32 px
/// images). Made by <c>mlContext.MulticlassClassification.Trainers.OctCifarResNet(...)</c>.
/// </summary>
public sealed class OctCifarResNetTrainer : OctaveTrainerBase<OctCifarResNetTrainer.Options>
{
    /// <summary>OctCifarResNet options: the shared ones plus the network's shape.</summary>
    public sealed class Options : OctaveTrainerOptions
    {
        /// <summary>6n + 2: 20 (default), 32, 44, 56, 110...</summary>
        public int Depth { get; set; } = 20;

        /// <summary>Low-frequency share of the channels, in [0, 1) (default 0.5; 0 is the plain ResNet).</summary>
        public float Alpha { get; set; } = 0.5f;
    }

    internal OctCifarResNetTrainer(MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog, Options options) : base(catalog, options) { }

    private protected override ModelSpec CreateSpec(int numClasses, int inChannels) => new OctCifarResNetSpec
    {
        Depth = TrainingOptions.Depth, Alpha = TrainingOptions.Alpha, NumClasses = numClasses, InChannels = inChannels,
    };
}
