namespace OctaveML.Imaging;

/// <summary>
/// A decoded 8-bit image: interleaved rows, top row first, <see cref="Channels"/> bytes a pixel
/// (1 = grayscale, 3 = RGB). This is what every decoder returns and every resizer takes.
/// </summary>
public sealed class Image
{
    /// <summary>Wraps pixel bytes (not copied); their count must be width * height * channels.</summary>
    public Image(int width, int height, int channels, byte[] pixels)
    {
        if (width <= 0) throw new ArgumentOutOfRangeException(nameof(width), width, "width must be positive.");
        if (height <= 0) throw new ArgumentOutOfRangeException(nameof(height), height, "height must be positive.");
        if (channels is not (1 or 3)) throw new ArgumentOutOfRangeException(nameof(channels), channels, "channels must be 1 (grayscale) or 3 (RGB).");
        ArgumentNullException.ThrowIfNull(pixels);
        if ((long)width * height * channels != pixels.Length)
            throw new ArgumentException($"{pixels.Length} bytes do not hold {width}x{height}x{channels} pixels.", nameof(pixels));
        Width = width; Height = height; Channels = channels; Pixels = pixels;
    }

    public int Width { get; }
    public int Height { get; }
    /// <summary>1 (grayscale) or 3 (RGB).</summary>
    public int Channels { get; }
    /// <summary>Row-major, interleaved pixel bytes.</summary>
    public byte[] Pixels { get; }

    /// <summary>The byte of channel <paramref name="c"/> at column <paramref name="x"/>, row <paramref name="y"/>.</summary>
    public byte this[int x, int y, int c] => Pixels[(y * Width + x) * Channels + c];
}
