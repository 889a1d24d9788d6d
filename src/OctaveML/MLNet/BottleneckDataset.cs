using OctaveML.Data;

namespace OctaveML.MLNet;

/// <summary>
/// Each image's pooled backbone features (the classifier head's input) and its label, as a dataset of
/// [F, 1, 1] "images", so that the trainer's batching (order, last batch) carries them unchanged.
/// </summary>
internal sealed class BottleneckDataset : IImageDataset
{
    private readonly float[] _features;
    private readonly int[] _labels;

    public BottleneckDataset(float[] features, int[] labels, int featureCount, IReadOnlyList<string> classNames)
    {
        if (features.Length != (long)labels.Length * featureCount)
            throw new ArgumentException($"{features.Length} feature values for {labels.Length} images of {featureCount}.", nameof(features));
        _features = features; _labels = labels; Channels = featureCount; ClassNames = classNames;
    }

    public int Count => _labels.Length;
    public int Channels { get; }
    public int Height => 1;
    public int Width => 1;
    public IReadOnlyList<string> ClassNames { get; }
    public int GetLabel(int index) => _labels[index];

    public void GetImage(int index, Span<float> chw) => _features.AsSpan(index * Channels, Channels).CopyTo(chw);
}
