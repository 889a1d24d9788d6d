namespace OctaveML.Training;

/// <summary>
/// The training loss (or, checked before every checkpoint and at every epoch end, a weight) became
/// NaN or infinite. No step was taken with a bad loss and no checkpoint is written with bad weights,
/// so the last good checkpoint (if checkpointing is on) is left for a restart with, say, a lower
/// learning rate.
/// </summary>
public sealed class TrainingDivergedException : Exception
{
    /// <summary>A divergence at <paramref name="epoch"/>/<paramref name="batch"/> (0-based), global iteration <paramref name="iteration"/>.</summary>
    public TrainingDivergedException(int epoch, int batch, long iteration, double loss, string? lastCheckpoint, string? what = null)
        : base($"training diverged: {what ?? $"the loss is {loss}"} at epoch {epoch}, batch {batch} (iteration {iteration}); " +
               (lastCheckpoint is null ? "no checkpoint was written." : $"the last good checkpoint is {lastCheckpoint}."))
    {
        Epoch = epoch; Batch = batch; Iteration = iteration; Loss = loss; LastCheckpoint = lastCheckpoint;
    }

    /// <summary>The epoch (0-based) of the bad batch.</summary>
    public int Epoch { get; }

    /// <summary>The batch within the epoch (0-based).</summary>
    public int Batch { get; }

    /// <summary>The global iteration (optimizer steps taken before the bad batch).</summary>
    public long Iteration { get; }

    /// <summary>The non-finite loss (or, when a weight went bad, the last batch's loss).</summary>
    public double Loss { get; }

    /// <summary>The last checkpoint written, or null.</summary>
    public string? LastCheckpoint { get; }
}
