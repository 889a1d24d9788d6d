namespace OctaveML.Data;

/// <summary>
/// A labelled image dataset with random access: what the <see cref="DataLoader"/> and the trainer
/// consume. Every image has the same shape [<see cref="Channels"/>, <see cref="Height"/>,
/// <see cref="Width"/>]; pixels come out as float32 in [0, 1] (byte / 255), planar (CHW), and are
/// normalised later (see <see cref="Augmentations.Normalize"/>), as torchvision's ToTensor does.
/// </summary>
/// <remarks>
/// Implementations must allow <see cref="GetImage"/> and <see cref="GetLabel"/> from several threads
/// at once (the loader fills a batch in parallel when asked to).
/// </remarks>
public interface IImageDataset
{
    /// <summary>Number of images.</summary>
    int Count { get; }

    /// <summary>Channels per image: 1 (grayscale) or 3 (RGB).</summary>
    int Channels { get; }

    /// <summary>Image height in pixels.</summary>
    int Height { get; }

    /// <summary>Image width in pixels.</summary>
    int Width { get; }

    /// <summary>Class names; a label is an index into this list.</summary>
    IReadOnlyList<string> ClassNames { get; }

    /// <summary>The class index of image <paramref name="index"/>, in [0, ClassNames.Count).</summary>
    int GetLabel(int index);

    /// <summary>
    /// Writes image <paramref name="index"/> into <paramref name="chw"/> (exactly
    /// Channels * Height * Width floats, planar, values in [0, 1]).
    /// </summary>
    void GetImage(int index, Span<float> chw);
}
