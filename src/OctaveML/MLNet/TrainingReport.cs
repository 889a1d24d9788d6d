using OctaveML.Models;
using OctaveML.Training;

namespace OctaveML;

/// <summary>What one Fit of an OctaveML trainer did (the trainer's <c>LastTrainingReport</c>).</summary>
public sealed record TrainingReport
{
    /// <summary>The network trained, with its classes and input channels.</summary>
    public required ModelSpec Spec { get; init; }

    /// <summary>The backend that trained, as its session describes itself ("managed engine, 2 threads", "libtorch 2.10.0 on cpu, ...").</summary>
    public required string Backend { get; init; }

    /// <summary>Every epoch's losses and accuracies, why training stopped, and the best epoch under early stopping.</summary>
    public required TrainingResult Training { get; init; }

    /// <summary>The classes, in key order (the label column's KeyValues).</summary>
    public required IReadOnlyList<string> ClassNames { get; init; }

    /// <summary>Image channels, height and width (the feature column's [C, H, W]).</summary>
    public required (int Channels, int Height, int Width) ImageShape { get; init; }

    /// <summary>Per-channel mean of the training images, in the feature column's units: the model's input normalisation.</summary>
    public required IReadOnlyList<float> Mean { get; init; }

    /// <summary>Per-channel standard deviation of the training images (1 for a constant channel).</summary>
    public required IReadOnlyList<float> Std { get; init; }

    /// <summary>Images trained on.</summary>
    public required int TrainingImages { get; init; }

    /// <summary>Images validated on after each epoch (0 without validation).</summary>
    public required int ValidationImages { get; init; }

    /// <summary>Images left out under <see cref="InvalidImageHandling.Skip"/>, training and validation data, in row order.</summary>
    public required IReadOnlyList<InvalidImage> SkippedImages { get; init; }

    /// <summary>Rows left out because their label is missing (key 0: a value the fitted MapValueToKey did not know).</summary>
    public required long UnlabelledRows { get; init; }

    /// <summary>Distinct image files decoded by the check before training.</summary>
    public required int CheckedImageFiles { get; init; }

    /// <summary>Distinct image files not checked: relative paths that resolve neither under ImageFolder nor as given.</summary>
    public required int UncheckedImageFiles { get; init; }

    /// <summary>True when the training images were cached as one byte per value (exact), false for the float32 fallback.</summary>
    public required bool ByteCache { get; init; }

    /// <summary>Bytes of pixel cache allocated for the training data (and the ValidationSet, when given).</summary>
    public required long CacheBytes { get; init; }

    /// <summary>What loading <see cref="OctaveTrainerOptions.InitialWeights"/> did (names loaded, head re-initialised or not); null from scratch.</summary>
    public InitialWeightsReport? InitialWeights { get; init; }

    /// <summary>How the network was fine-tuned from its initial weights; null from scratch.</summary>
    public FineTuning? FineTune { get; init; }
}
