namespace OctaveML.Data;

/// <summary>
/// A view of some images of another dataset, by index (nothing copied): what a train/validation
/// split returns. Index i of the subset is index <c>Indices[i]</c> of <see cref="Source"/>.
/// </summary>
public sealed class DatasetSubset : IImageDataset
{
    private readonly int[] _indices;

    /// <summary>A view of <paramref name="source"/> at <paramref name="indices"/> (copied; each in range; repeats allowed).</summary>
    public DatasetSubset(IImageDataset source, int[] indices)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(indices);
        for (int i = 0; i < indices.Length; i++)
            if ((uint)indices[i] >= (uint)source.Count)
                throw new ArgumentOutOfRangeException(nameof(indices), indices[i], $"indices[{i}] must be in [0, {source.Count}).");
        Source = source;
        _indices = (int[])indices.Clone();
    }

    /// <summary>The dataset viewed.</summary>
    public IImageDataset Source { get; }

    /// <summary>The source indices, in subset order.</summary>
    public IReadOnlyList<int> Indices => _indices;

    /// <inheritdoc/>
    public int Count => _indices.Length;
    /// <inheritdoc/>
    public int Channels => Source.Channels;
    /// <inheritdoc/>
    public int Height => Source.Height;
    /// <inheritdoc/>
    public int Width => Source.Width;
    /// <inheritdoc/>
    public IReadOnlyList<string> ClassNames => Source.ClassNames;

    /// <inheritdoc/>
    public int GetLabel(int index) => Source.GetLabel(Map(index));

    /// <inheritdoc/>
    public void GetImage(int index, Span<float> chw) => Source.GetImage(Map(index), chw);

    private int Map(int index)
    {
        if ((uint)index >= (uint)_indices.Length)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"index must be in [0, {_indices.Length}).");
        return _indices[index];
    }
}
