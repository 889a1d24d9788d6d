namespace OctaveML.Imaging;

/// <summary>
/// An image file that cannot be decoded: truncated, corrupted, not an image, too large, or in an
/// unsupported variant. The message names the file (when known) and the reason.
/// </summary>
public class ImageFormatException : Exception
{
    public ImageFormatException(string? fileName, string reason, Exception? inner = null)
        : base(fileName is null ? reason : $"{fileName}: {reason}", inner)
    {
        FileName = fileName;
        Reason = reason;
    }

    /// <summary>The file, or null when decoding from memory.</summary>
    public string? FileName { get; }

    /// <summary>What is wrong, without the file name.</summary>
    public string Reason { get; }
}

/// <summary>A valid image in a variant the decoders do not support (arithmetic-coded or 12-bit JPEG, ...).</summary>
public sealed class UnsupportedImageFormatException : ImageFormatException
{
    public UnsupportedImageFormatException(string? fileName, string reason) : base(fileName, reason) { }
}
