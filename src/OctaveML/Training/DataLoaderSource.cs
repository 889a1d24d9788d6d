using OctaveML.Data;
using OctaveML.Tensors;

namespace OctaveML.Training;

/// <summary>A <see cref="DataLoader"/> seen as the trainer's <see cref="IBatchSource"/>.</summary>
internal sealed class DataLoaderSource(DataLoader loader) : IBatchSource
{
    public int BatchesPerEpoch => loader.BatchesPerEpoch;

    public ulong? Seed => loader.Options.Seed;

    public IEnumerable<(Tensor Images, int[] Labels)> GetEpoch(int epoch, int firstBatch, CancellationToken cancellationToken)
    {
        if (firstBatch == 0)
        {
            foreach (var batch in loader.GetEpoch(epoch, cancellationToken))
                yield return (batch.Images, batch.Labels);
            yield break;
        }
        // Resuming mid-epoch: build the remaining batches directly (on this thread) from the epoch's
        // order, rather than loading and augmenting the skipped ones; Build is the same either way.
        int[] order = loader.EpochOrder(epoch);
        int size = loader.Options.BatchSize;
        for (int b = firstBatch; b < loader.BatchesPerEpoch; b++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int start = b * size;
            var batch = loader.CreateBatch(order.AsSpan(start, Math.Min(size, order.Length - start)), epoch, b, applyTransform: true);
            yield return (batch.Images, batch.Labels);
        }
    }
}
