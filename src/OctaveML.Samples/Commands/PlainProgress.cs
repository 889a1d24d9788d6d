using System.Globalization;
using OctaveML.Training;

namespace OctaveML.Samples.Commands;

/// <summary>
/// Training progress as plain text lines (redirected output, CI logs, tests): a few batch lines per
/// epoch and one line per finished epoch. No ANSI escapes, no carriage returns.
/// </summary>
public sealed class PlainProgress(TextWriter output, int linesPerEpoch = 4) : IProgress<TrainingProgress>
{
    /// <inheritdoc/>
    public void Report(TrainingProgress p)
    {
        if (p.Kind == ProgressKind.EpochEnd)
        {
            output.WriteLine(EpochLine(p));
            return;
        }
        int every = Math.Max(1, p.BatchesPerEpoch / Math.Max(1, linesPerEpoch));
        int done = p.Batch + 1;
        if (done % every == 0 && done != p.BatchesPerEpoch)
            output.WriteLine(BatchLine(p));
    }

    /// <summary>"epoch 1/5 batch 10/29 loss ... acc ... lr ... img/s ... eta ...".</summary>
    public static string BatchLine(TrainingProgress p) => string.Create(CultureInfo.InvariantCulture,
        $"epoch {p.Epoch + 1}/{p.Epochs} batch {p.Batch + 1}/{p.BatchesPerEpoch} loss {p.Loss:0.0000} acc {p.Accuracy:0.0000} lr {p.LearningRate:G3} {p.ImagesPerSecond:0} img/s eta {Eta(p.Eta)}");

    /// <summary>"epoch 1/5 train loss ... acc ... val loss ... acc ... lr ...".</summary>
    public static string EpochLine(TrainingProgress p)
    {
        string val = p.ValidationLoss is { } vl && p.ValidationAccuracy is { } va
            ? string.Create(CultureInfo.InvariantCulture, $" | val loss {vl:0.0000} acc {va:0.0000}") : "";
        return string.Create(CultureInfo.InvariantCulture,
            $"epoch {p.Epoch + 1}/{p.Epochs} | train loss {p.Loss:0.0000} acc {p.Accuracy:0.0000}{val} | lr {p.LearningRate:G3}");
    }

    /// <summary>m:ss or h:mm:ss.</summary>
    public static string Eta(TimeSpan t) => t.TotalHours >= 1
        ? t.ToString(@"h\:mm\:ss", CultureInfo.InvariantCulture)
        : t.ToString(@"m\:ss", CultureInfo.InvariantCulture);
}
