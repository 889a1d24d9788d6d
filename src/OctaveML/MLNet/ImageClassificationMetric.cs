using OctaveML.Training;

namespace OctaveML;

/// <summary>
/// What <see cref="OctaveTrainerOptions.MetricsCallback"/> receives (ML.NET's <c>ImageClassificationMetric</c>):
/// training progress after every batch and epoch, each skipped image, and notes on reading the data.
/// Exactly one of <see cref="Train"/>, <see cref="SkippedImage"/> and <see cref="Message"/> is set.
/// </summary>
public sealed class ImageClassificationMetric
{
    internal ImageClassificationMetric(TrainingProgress? train = null, InvalidImage? skippedImage = null, string? message = null)
    {
        Train = train; SkippedImage = skippedImage; Message = message;
    }

    /// <summary>A training batch or epoch finished (epoch ends carry the validation figures).</summary>
    public TrainingProgress? Train { get; }

    /// <summary>An image left out under <see cref="InvalidImageHandling.Skip"/>.</summary>
    public InvalidImage? SkippedImage { get; }

    /// <summary>A note on the data: what was read and how it is cached, files that could not be checked.</summary>
    public string? Message { get; }

    /// <inheritdoc/>
    public override string ToString()
    {
        if (SkippedImage is { } s) return $"skipped {s}";
        if (Message is { } m) return m;
        var p = Train!;
        var ci = System.Globalization.CultureInfo.InvariantCulture;
        string validation = p.ValidationAccuracy is { } va
            ? string.Format(ci, ", validation loss {0:F4}, accuracy {1:F4}", p.ValidationLoss, va) : "";
        return p.Kind == ProgressKind.EpochEnd
            ? string.Format(ci, "epoch {0}/{1}: loss {2:F4}, accuracy {3:F4}{4}, learning rate {5:G4}", p.Epoch + 1, p.Epochs, p.Loss, p.Accuracy, validation, p.LearningRate)
            : string.Format(ci, "epoch {0}/{1}, batch {2}/{3}: loss {4:F4}, accuracy {5:F4}, {6:F1} images/s",
                p.Epoch + 1, p.Epochs, p.Batch + 1, p.BatchesPerEpoch, p.BatchLoss, p.Accuracy, p.ImagesPerSecond);
    }
}
