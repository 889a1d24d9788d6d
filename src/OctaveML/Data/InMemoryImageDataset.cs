namespace OctaveML.Data;

/// <summary>
/// A dataset held in memory as 8-bit planar pixels (one byte per value, 4x smaller than floats):
/// what the IDX and CIFAR readers return, and a convenient container for tests.
/// </summary>
public sealed class InMemoryImageDataset : IImageDataset
{
    private readonly byte[] _pixels;
    private readonly int[] _labels;
    private readonly string[] _classNames;
    private readonly int _imageSize;

    /// <summary>
    /// Wraps <paramref name="pixels"/> (not copied): <paramref name="labels"/>.Length images of
    /// [channels, height, width] bytes each, planar, one after another.
    /// </summary>
    public InMemoryImageDataset(byte[] pixels, int[] labels, int channels, int height, int width, IReadOnlyList<string> classNames)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(classNames);
        if (channels is not (1 or 3)) throw new ArgumentOutOfRangeException(nameof(channels), channels, "channels must be 1 or 3.");
        if (height <= 0) throw new ArgumentOutOfRangeException(nameof(height), height, "height must be positive.");
        if (width <= 0) throw new ArgumentOutOfRangeException(nameof(width), width, "width must be positive.");
        if (classNames.Count == 0) throw new ArgumentException("classNames must not be empty.", nameof(classNames));
        long size = (long)channels * height * width;
        if (size * labels.Length != pixels.Length)
            throw new ArgumentException($"pixels has {pixels.Length} bytes but {labels.Length} images of {channels}x{height}x{width} need {size * labels.Length}.", nameof(pixels));
        for (int i = 0; i < labels.Length; i++)
            if ((uint)labels[i] >= (uint)classNames.Count)
                throw new ArgumentException($"labels[{i}] = {labels[i]} is outside [0, {classNames.Count}).", nameof(labels));
        _pixels = pixels; _labels = labels; _classNames = classNames.ToArray();
        Channels = channels; Height = height; Width = width; _imageSize = (int)size;
    }

    /// <inheritdoc/>
    public int Count => _labels.Length;
    /// <inheritdoc/>
    public int Channels { get; }
    /// <inheritdoc/>
    public int Height { get; }
    /// <inheritdoc/>
    public int Width { get; }
    /// <inheritdoc/>
    public IReadOnlyList<string> ClassNames => _classNames;

    /// <inheritdoc/>
    public int GetLabel(int index) => _labels[CheckIndex(index)];

    /// <summary>The raw bytes (planar CHW) of image <paramref name="index"/>.</summary>
    public ReadOnlySpan<byte> GetPixels(int index) => _pixels.AsSpan(CheckIndex(index) * _imageSize, _imageSize);

    /// <inheritdoc/>
    public void GetImage(int index, Span<float> chw)
    {
        if (chw.Length != _imageSize)
            throw new ArgumentException($"chw has {chw.Length} floats; an image needs {_imageSize}.", nameof(chw));
        PixelConversion.BytesToUnitFloats(GetPixels(index), chw);
    }

    private int CheckIndex(int index)
    {
        if ((uint)index >= (uint)_labels.Length)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"index must be in [0, {_labels.Length}).");
        return index;
    }
}
