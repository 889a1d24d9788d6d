using OctaveML.Tensors;

namespace OctaveML.Training;

/// <summary>
/// What the <see cref="Trainer"/> reads: the mini-batches of an epoch, images [N, C, H, W] with
/// one class index per image. For exact resume the batches of epoch e must be a function of the
/// source's seed and e only (order and augmentation), so that starting an epoch at batch k yields the
/// same batches k, k+1, ... an uninterrupted pass would.
/// </summary>
public interface IBatchSource
{
    /// <summary>Batches in every epoch (the schedule and progress are built on it).</summary>
    int BatchesPerEpoch { get; }

    /// <summary>
    /// The batches of epoch <paramref name="epoch"/> (0-based) in order, starting at batch
    /// <paramref name="firstBatch"/> (0 except when resuming mid-epoch).
    /// </summary>
    IEnumerable<(Tensor Images, int[] Labels)> GetEpoch(int epoch, int firstBatch, CancellationToken cancellationToken);

    /// <summary>
    /// The seed that fixes order and augmentation, if the source has one: recorded in checkpoints and
    /// checked on resume (a different seed would silently change the data order).
    /// </summary>
    ulong? Seed => null;
}
