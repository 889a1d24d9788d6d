namespace OctaveML.Data;

/// <summary>Helpers every <see cref="IImageDataset"/> gets.</summary>
public static class ImageDatasetExtensions
{
    /// <summary>Floats in one image: Channels * Height * Width.</summary>
    public static int ImageSize(this IImageDataset dataset) => dataset.Channels * dataset.Height * dataset.Width;

    /// <summary>All labels, in index order.</summary>
    public static int[] GetLabels(this IImageDataset dataset)
    {
        var labels = new int[dataset.Count];
        for (int i = 0; i < labels.Length; i++) labels[i] = dataset.GetLabel(i);
        return labels;
    }

    /// <summary>Images per class, indexed by class.</summary>
    public static int[] ClassCounts(this IImageDataset dataset)
    {
        var counts = new int[dataset.ClassNames.Count];
        for (int i = 0; i < dataset.Count; i++) counts[dataset.GetLabel(i)]++;
        return counts;
    }

    /// <summary>A view of the images at <paramref name="indices"/> (not copied).</summary>
    public static DatasetSubset Subset(this IImageDataset dataset, IEnumerable<int> indices) =>
        new(dataset, indices.ToArray());

    /// <summary>A view of the first <paramref name="count"/> images.</summary>
    public static DatasetSubset Take(this IImageDataset dataset, int count)
    {
        if (count < 0 || count > dataset.Count)
            throw new ArgumentOutOfRangeException(nameof(count), count, $"count must be in [0, {dataset.Count}].");
        return new DatasetSubset(dataset, Enumerable.Range(0, count).ToArray());
    }
}
