using OctaveML.Data;
using OctaveML.Tensors;
using OctaveML.Training;

namespace OctaveML.MLNet;

/// <summary>
/// The trainer's batches over a cache of images: the order of every epoch from (seed, epoch) as the
/// engine's <see cref="DataLoader"/> draws it, each image decoded from the cache, then the transform
/// (normalisation and augmentation, keyed by seed, epoch and image). Two differences keep memory flat:
/// every batch is written into the same tensor (a fresh 224 px batch per step is 9.6 MB of garbage,
/// which the GC, sizing its budget by the live cache, left uncollected: 4 GB peak over one OctMobileNet
/// epoch of 5,000 images), and with <c>fillLastBatch</c> the epoch's last batch is topped up with the
/// epoch's first images, so that the network sees one batch size and keeps one set of activation
/// buffers instead of two (about 0.5 GB each for OctMobileNet at 224 px and batch 16). A consumer must
/// be done with a batch when it asks for the next, as the <see cref="Trainer"/> is.
/// </summary>
internal sealed class CacheBatchSource : IBatchSource, IDisposable
{
    private readonly DataLoader _order;
    private readonly IImageDataset _images;
    private readonly IBatchTransform _transform;
    private readonly bool _fillLastBatch;
    private readonly Dictionary<int, Tensor> _tensors = new();

    public CacheBatchSource(IImageDataset images, int batchSize, bool shuffle, ulong seed, bool fillLastBatch, IBatchTransform transform)
    {
        _images = images;
        _transform = transform;
        _fillLastBatch = fillLastBatch;
        _order = new DataLoader(images, new DataLoaderOptions { BatchSize = batchSize, Shuffle = shuffle, Seed = seed, PrefetchBatches = 0 });
        Seed = shuffle ? seed : null;
    }

    public int BatchesPerEpoch => _order.BatchesPerEpoch;

    public ulong? Seed { get; }

    public IEnumerable<(Tensor Images, int[] Labels)> GetEpoch(int epoch, int firstBatch, CancellationToken cancellationToken)
    {
        int[] order = _order.EpochOrder(epoch);
        int size = _order.Options.BatchSize, imageSize = _images.ImageSize();
        for (int b = firstBatch; b < BatchesPerEpoch; b++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int start = b * size, count = Math.Min(size, order.Length - start);
            var indices = order.AsSpan(start, count).ToArray();
            if (_fillLastBatch && count < size && order.Length >= size)
                indices = [.. indices, .. order.AsSpan(0, size - count)];
            count = indices.Length;
            if (!_tensors.TryGetValue(count, out var images))
                _tensors[count] = images = Tensor.Uninitialized(count, _images.Channels, _images.Height, _images.Width);
            var labels = new int[count];
            for (int i = 0; i < count; i++)
            {
                _images.GetImage(indices[i], images.Data.AsSpan(i * imageSize, imageSize));
                labels[i] = _images.GetLabel(indices[i]);
            }
            var batch = new Batch(images, labels, indices, epoch, b, _order.Options.Seed);
            _transform.Apply(batch);
            if (!ReferenceEquals(batch.Images, images))
                throw new InvalidOperationException($"the batch transform {_transform.GetType().Name} replaced the batch tensor; the cache's transforms work in place.");
            yield return (images, labels);
        }
    }

    public void Dispose() => _order.Dispose();
}
