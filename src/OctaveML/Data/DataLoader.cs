using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using OctaveML.Tensors;
using OctaveML.Threading;

namespace OctaveML.Data;

/// <summary>
/// Turns an <see cref="IImageDataset"/> into mini-batches [B, C, H, W] plus labels, like PyTorch's
/// DataLoader: seeded shuffling whose order for an epoch depends only on (seed, epoch), so a
/// resumed run replays it exactly; an optional per-batch transform; and a producer thread that
/// prepares the next batches (at most <see cref="DataLoaderOptions.PrefetchBatches"/> queued) while
/// the consumer trains on the current one.
/// </summary>
/// <example>
/// <code>
/// using var loader = new DataLoader(train, new DataLoaderOptions { BatchSize = 64, Seed = 42 });
/// for (int epoch = 0; epoch &lt; epochs; epoch++)
///     foreach (Batch batch in loader.GetEpoch(epoch, token))
///         trainer.Step(batch.Images, batch.Labels);
/// </code>
/// </example>
public sealed class DataLoader : IDisposable
{
    private readonly CancellationTokenSource _disposed = new();
    private readonly int _imageSize;

    /// <summary>A loader over <paramref name="dataset"/> (options default to <see cref="DataLoaderOptions"/>'s defaults).</summary>
    public DataLoader(IImageDataset dataset, DataLoaderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        options ??= new DataLoaderOptions();
        if (options.BatchSize < 1)
            throw new ArgumentOutOfRangeException(nameof(options), options.BatchSize, "options.BatchSize must be at least 1.");
        if (options.PrefetchBatches is < 0 or > 2)
            throw new ArgumentOutOfRangeException(nameof(options), options.PrefetchBatches, "options.PrefetchBatches must be 0, 1 or 2.");
        if (options.Workers < 1)
            throw new ArgumentOutOfRangeException(nameof(options), options.Workers, "options.Workers must be at least 1.");
        Dataset = dataset;
        Options = options;
        _imageSize = dataset.ImageSize();
    }

    /// <summary>The dataset batched.</summary>
    public IImageDataset Dataset { get; }

    /// <summary>The options.</summary>
    public DataLoaderOptions Options { get; }

    /// <summary>Batches in one epoch (the last, smaller one counted unless <see cref="DataLoaderOptions.DropLast"/>).</summary>
    public int BatchesPerEpoch =>
        Options.DropLast ? Dataset.Count / Options.BatchSize : (Dataset.Count + Options.BatchSize - 1) / Options.BatchSize;

    /// <summary>
    /// The order in which epoch <paramref name="epoch"/> visits the dataset: a permutation of
    /// 0..Count-1 derived from (Seed, epoch) when shuffling, else 0, 1, 2, ...
    /// </summary>
    public int[] EpochOrder(int epoch)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        if (Options.Shuffle) return Rng.Derive(Options.Seed, 0xE90C_0DE5UL, (ulong)epoch).Permutation(Dataset.Count);
        var order = new int[Dataset.Count];
        for (int i = 0; i < order.Length; i++) order[i] = i;
        return order;
    }

    /// <summary>
    /// The batches of epoch <paramref name="epoch"/>. Enumerating starts the producer thread;
    /// finishing, breaking out of the loop or disposing the enumerator stops and joins it.
    /// An exception from the dataset or the transform is rethrown to the consumer (after the batches
    /// finished before it); cancellation through <paramref name="cancellationToken"/> or
    /// <see cref="Dispose"/> throws <see cref="OperationCanceledException"/>.
    /// </summary>
    public IEnumerable<Batch> GetEpoch(int epoch, CancellationToken cancellationToken = default) =>
        GetEpoch(epoch, 0, cancellationToken);

    /// <summary>
    /// The batches of epoch <paramref name="epoch"/> from batch <paramref name="firstBatch"/> on, for
    /// resuming mid-epoch: they equal batches firstBatch, firstBatch + 1, ... of an uninterrupted
    /// epoch (same order, same per-sample augmentation), and the skipped ones are never loaded.
    /// </summary>
    public IEnumerable<Batch> GetEpoch(int epoch, int firstBatch, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        if (firstBatch < 0 || firstBatch > BatchesPerEpoch)
            throw new ArgumentOutOfRangeException(nameof(firstBatch), firstBatch, $"firstBatch must be in [0, {BatchesPerEpoch}].");
        ObjectDisposedException.ThrowIf(_disposed.IsCancellationRequested, this);
        return Options.PrefetchBatches == 0 ? Synchronous(epoch, firstBatch, cancellationToken) : Prefetched(epoch, firstBatch, cancellationToken);
    }

    /// <summary>
    /// Builds one batch from the given dataset indices (no transform is run unless
    /// <paramref name="applyTransform"/>): for evaluation and for tests.
    /// </summary>
    public Batch CreateBatch(ReadOnlySpan<int> indices, int epoch = 0, int index = 0, bool applyTransform = false)
    {
        var idx = indices.ToArray();
        foreach (int i in idx)
            if ((uint)i >= (uint)Dataset.Count)
                throw new ArgumentOutOfRangeException(nameof(indices), i, $"every index must be in [0, {Dataset.Count}).");
        return Build(idx, epoch, index, applyTransform);
    }

    /// <summary>Stops every epoch still being enumerated (they throw <see cref="OperationCanceledException"/>).</summary>
    public void Dispose()
    {
        if (!_disposed.IsCancellationRequested) _disposed.Cancel();
    }

    private IEnumerable<Batch> Synchronous(int epoch, int firstBatch, CancellationToken ct)
    {
        int[] order = EpochOrder(epoch);
        int batches = BatchesPerEpoch;
        for (int b = firstBatch; b < batches; b++)
        {
            ct.ThrowIfCancellationRequested();
            _disposed.Token.ThrowIfCancellationRequested();
            yield return Build(Slice(order, b), epoch, b, applyTransform: true);
        }
    }

    private IEnumerable<Batch> Prefetched(int epoch, int firstBatch, CancellationToken ct)
    {
        int[] order = EpochOrder(epoch);
        int batches = BatchesPerEpoch;
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct, _disposed.Token);
        using var queue = new BlockingCollection<Batch>(new ConcurrentQueue<Batch>(), Options.PrefetchBatches);
        Exception? failure = null;
        var producer = new Thread(() =>
        {
            try
            {
                for (int b = firstBatch; b < batches && !cts.IsCancellationRequested; b++)
                    queue.Add(Build(Slice(order, b), epoch, b, applyTransform: true), cts.Token);
            }
            catch (OperationCanceledException) when (cts.IsCancellationRequested) { }
            catch (Exception e) { failure = e; }
            finally { queue.CompleteAdding(); }
        })
        { IsBackground = true, Name = "OctaveML.DataLoader" };
        producer.Start();
        try
        {
            // TryTake returns false once the producer has finished (or failed) and the queue is empty.
            while (queue.TryTake(out var batch, Timeout.Infinite, cts.Token))
                yield return batch;
            if (failure is not null) ExceptionDispatchInfo.Throw(failure);
            cts.Token.ThrowIfCancellationRequested();
        }
        finally
        {
            cts.Cancel();
            producer.Join();
        }
    }

    private int[] Slice(int[] order, int b)
    {
        int start = b * Options.BatchSize;
        int count = Math.Min(Options.BatchSize, order.Length - start);
        return order.AsSpan(start, count).ToArray();
    }

    private Batch Build(int[] indices, int epoch, int index, bool applyTransform)
    {
        var images = Tensor.Uninitialized(indices.Length, Dataset.Channels, Dataset.Height, Dataset.Width);
        var labels = new int[indices.Length];
        float[] data = images.Data;
        int size = _imageSize;
        try
        {
            Parallelism.ForOnThreadPool(indices.Length, i =>
            {
                Dataset.GetImage(indices[i], data.AsSpan(i * size, size));
                labels[i] = Dataset.GetLabel(indices[i]);
            }, Options.Workers);
        }
        catch (AggregateException e) when (e.InnerExceptions.Count == 1)
        {
            // Parallel workers wrap what the dataset threw; hand the consumer the real exception.
            ExceptionDispatchInfo.Throw(e.InnerExceptions[0]);
        }
        var batch = new Batch(images, labels, indices, epoch, index, Options.Seed);
        if (applyTransform && Options.Transform is { } t)
        {
            t.Apply(batch);
            if (batch.Images.Rank != 4 || batch.Images.N != indices.Length)
                throw new InvalidOperationException($"the batch transform {t.GetType().Name} left images {batch.Images.ShapeString}; expected [{indices.Length}, C, H, W].");
        }
        return batch;
    }
}
