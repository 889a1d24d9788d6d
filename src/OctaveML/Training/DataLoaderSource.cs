using OctaveML.Data;
using OctaveML.Tensors;

namespace OctaveML.Training;

/// <summary>A <see cref="DataLoader"/> seen as the trainer's <see cref="IBatchSource"/>.</summary>
internal sealed class DataLoaderSource(DataLoader loader) : IBatchSource
{
    public int BatchesPerEpoch => loader.BatchesPerEpoch;

    public ulong? Seed => loader.Options.Seed;

    public IEnumerable<(Tensor Images, int[] Labels)> GetEpoch(int epoch, CancellationToken cancellationToken)
    {
        foreach (var batch in loader.GetEpoch(epoch, cancellationToken))
            yield return (batch.Images, batch.Labels);
    }
}
