using Spectre.Console;
using OctaveML.Training;

namespace OctaveML.Samples.Commands;

/// <summary>
/// Training progress on an interactive terminal: a Spectre.Console progress bar per epoch whose
/// description shows batch, loss, accuracy, learning rate, images/s and ETA, and after the epoch its
/// train and validation metrics.
/// </summary>
public sealed class LiveProgress(ProgressContext context) : IProgress<TrainingProgress>
{
    private ProgressTask? _task;
    private int _epoch = -1;

    /// <inheritdoc/>
    public void Report(TrainingProgress p)
    {
        if (_task is null || _epoch != p.Epoch)
        {
            _task = context.AddTask($"epoch {p.Epoch + 1}/{p.Epochs}", maxValue: p.BatchesPerEpoch);
            _epoch = p.Epoch;
        }
        if (p.Kind == ProgressKind.EpochEnd)
        {
            _task.Value = p.BatchesPerEpoch;
            _task.Description = Markup.Escape(PlainProgress.EpochLine(p));
            _task.StopTask();
            return;
        }
        _task.Value = p.Batch + 1;
        _task.Description = Markup.Escape(PlainProgress.BatchLine(p));
    }
}
