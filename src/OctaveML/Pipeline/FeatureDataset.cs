using OctaveML.Data;
using OctaveML.Tensors;
using OctaveML.Training;

namespace OctaveML.Pipeline;

/// <summary>
/// The rows of a data view's Features (float [C, H, W]) and Label (key) columns, read once into memory
/// as an <see cref="IImageDataset"/> for the trainer. Feature values are used as the pipeline made them.
/// </summary>
internal sealed class FeatureDataset : IImageDataset
{
    private readonly float[] _pixels;
    private readonly int[] _labels;
    private readonly string[] _classNames;
    private readonly int _size;

    private FeatureDataset(float[] pixels, int[] labels, int channels, int height, int width, string[] classNames)
    {
        _pixels = pixels; _labels = labels; _classNames = classNames;
        Channels = channels; Height = height; Width = width; _size = channels * height * width;
    }

    public int Count => _labels.Length;
    public int Channels { get; }
    public int Height { get; }
    public int Width { get; }
    public IReadOnlyList<string> ClassNames => _classNames;
    public int GetLabel(int index) => _labels[index];
    public void GetImage(int index, Span<float> chw) => _pixels.AsSpan(index * _size, _size).CopyTo(chw);

    /// <summary>The [C, H, W] shape of a feature column, checked; errors name the column and say what is expected.</summary>
    public static (int C, int H, int W) FeatureShape(DataViewSchema schema, string featureColumnName)
    {
        var column = schema.Require(featureColumnName, "FeatureColumnName", "feature",
            t => t is VectorDataViewType { ItemType.RawType: var r } && r == typeof(float), "a float vector of planar pixels (ExtractPixels)");
        var v = (VectorDataViewType)column.Type;
        if (v.Dimensions.Count != 3 || v.Dimensions[0] is not (1 or 3))
            throw new ArgumentOutOfRangeException("FeatureColumnName", featureColumnName,
                $"feature column '{featureColumnName}' has type {v}; expected planar pixels [3 or 1, height, width] (ResizeImages then ExtractPixels with interleavePixelColors: false).");
        return (v.Dimensions[0], v.Dimensions[1], v.Dimensions[2]);
    }

    /// <summary>The key column's class names, checked to be a key column.</summary>
    public static string[] ClassNamesOf(DataViewSchema schema, string labelColumnName)
    {
        var column = schema.Require(labelColumnName, "LabelColumnName", "label", t => t is KeyDataViewType,
            $"a key column (apply MapValueToKey(\"{labelColumnName}\") first)");
        int count = (int)((KeyDataViewType)column.Type).Count;
        return column.KeyValues?.ToArray() ?? Enumerable.Range(1, count).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
    }

    /// <summary>Reads <paramref name="data"/>; rows with a missing label (key 0) are skipped.</summary>
    public static FeatureDataset Read(IDataView data, string featureColumnName, string labelColumnName, string what, CancellationToken token)
    {
        var (c, h, w) = FeatureShape(data.Schema, featureColumnName);
        var classNames = ClassNamesOf(data.Schema, labelColumnName);
        int fi = data.Schema[featureColumnName].Index, li = data.Schema[labelColumnName].Index;
        int size = c * h * w;
        var pixels = new List<float>();
        var labels = new List<int>();
        foreach (var row in data.Rows())
        {
            token.ThrowIfCancellationRequested();
            if (row[li] is not uint key || key == 0) continue;
            var f = (float[])row[fi]!;
            if (f.Length != size)
                throw new InvalidOperationException($"row {labels.Count} of {what} has {f.Length} features; column '{featureColumnName}' declares {size}.");
            pixels.AddRange(f);
            labels.Add((int)key - 1);
        }
        if (labels.Count == 0)
            throw new ArgumentException($"{what} has no rows with a label; it needs labelled rows (column '{labelColumnName}').", nameof(data));
        return new FeatureDataset(pixels.ToArray(), labels.ToArray(), c, h, w, classNames);
    }
}

/// <summary>A <see cref="DataLoader"/> seen as the trainer's <see cref="IBatchSource"/>.</summary>
internal sealed class LoaderBatchSource(DataLoader loader) : IBatchSource
{
    public int BatchesPerEpoch => loader.BatchesPerEpoch;

    public ulong? Seed => loader.Options.Seed;

    public IEnumerable<(Tensor Images, int[] Labels)> GetEpoch(int epoch, int firstBatch, CancellationToken cancellationToken)
    {
        foreach (var batch in loader.GetEpoch(epoch, firstBatch, cancellationToken))
            yield return (batch.Images, batch.Labels);
    }
}
