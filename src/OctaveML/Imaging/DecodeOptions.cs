namespace OctaveML.Imaging;

/// <summary>How to decode an image.</summary>
public sealed record DecodeOptions
{
    /// <summary>Return one grayscale channel instead of RGB.</summary>
    public bool Grayscale { get; init; }

    /// <summary>Rotate/flip JPEGs as their EXIF orientation tag says (true by default).</summary>
    public bool ApplyExifOrientation { get; init; } = true;

    /// <summary>Refuse images with more pixels than this (decompression bombs); default 100 megapixels.</summary>
    public long MaxPixels { get; init; } = 100_000_000;

    /// <summary>The defaults.</summary>
    public static DecodeOptions Default { get; } = new();
}
