namespace OctaveML.Data;

/// <summary>How a <see cref="DataLoader"/> batches a dataset (PyTorch's DataLoader arguments).</summary>
public sealed record DataLoaderOptions
{
    /// <summary>Images per batch (default 32).</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>Visit the images in a new random order every epoch (default true); otherwise in index order.</summary>
    public bool Shuffle { get; init; } = true;

    /// <summary>Seed of the shuffle: the order of epoch e is a function of (Seed, e) only.</summary>
    public ulong Seed { get; init; }

    /// <summary>Drop the last batch when it is smaller than <see cref="BatchSize"/> (default false).</summary>
    public bool DropLast { get; init; }

    /// <summary>
    /// Batches prepared ahead of the consumer, 0 to 2 (default 2): 0 fills each batch on the
    /// consumer's thread when asked; k &gt; 0 runs a producer thread that keeps up to k finished
    /// batches queued (plus the one it is building), so memory stays bounded.
    /// </summary>
    public int PrefetchBatches { get; init; } = 2;

    /// <summary>Threads that fill one batch's images in parallel (default 1; more helps datasets that decode files).</summary>
    public int Workers { get; init; } = 1;

    /// <summary>Run on each batch after it is filled, on the producer thread (augmentation, normalisation).</summary>
    public IBatchTransform? Transform { get; init; }
}
