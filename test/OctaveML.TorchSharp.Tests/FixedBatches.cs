using OctaveML.Tensors;
using OctaveML.Training;

namespace OctaveML.TorchSharp.Tests;

/// <summary>A fixed list of batches, the same every epoch.</summary>
internal sealed class FixedBatches(IReadOnlyList<(Tensor Images, int[] Labels)> batches, ulong seed = 1) : IBatchSource
{
    public int BatchesPerEpoch => batches.Count;

    public ulong? Seed => seed;

    public IEnumerable<(Tensor Images, int[] Labels)> GetEpoch(int epoch, int firstBatch, CancellationToken cancellationToken) => batches.Skip(firstBatch);
}
