namespace OctaveML.Imaging;

/// <summary>
/// Decodes an image file of any supported format, recognised from its first bytes (never from the
/// file name): JPEG, PNG, BMP and binary PGM/PPM.
/// </summary>
public static class ImageDecoder
{
    /// <summary>
    /// Reads and decodes the file at <paramref name="path"/>. Errors about the content are
    /// <see cref="ImageFormatException"/>s naming the file; I/O errors (missing file, no access)
    /// are thrown as they are.
    /// </summary>
    public static Image Decode(string path, DecodeOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        byte[] data = File.ReadAllBytes(path);
        return Decode(data, options, path);
    }

    /// <summary>Decodes an image held in memory; <paramref name="fileName"/> only names it in errors.</summary>
    /// <exception cref="ImageFormatException">Unknown format, or the decoder rejected the data.</exception>
    public static Image Decode(ReadOnlySpan<byte> data, DecodeOptions? options = null, string? fileName = null)
    {
        if (data.Length == 0) throw new ImageFormatException(fileName, "the file is empty (0 bytes)");
        if (JpegDecoder.IsJpeg(data)) return JpegDecoder.Decode(data, options, fileName);
        if (PngDecoder.IsPng(data)) return PngDecoder.Decode(data, options, fileName);
        if (BmpDecoder.IsBmp(data)) return BmpDecoder.Decode(data, options, fileName);
        if (PnmDecoder.IsPnm(data)) return PnmDecoder.Decode(data, options, fileName);
        throw new ImageFormatException(fileName, $"not a JPEG, PNG, BMP or PNM image (starts with 0x{Convert.ToHexString(data[..Math.Min(8, data.Length)])})");
    }

    /// <summary>The format name sniffed from the first bytes ("jpeg", "png", "bmp", "pnm"), or null.</summary>
    public static string? DetectFormat(ReadOnlySpan<byte> header)
    {
        if (JpegDecoder.IsJpeg(header)) return "jpeg";
        if (PngDecoder.IsPng(header)) return "png";
        if (BmpDecoder.IsBmp(header)) return "bmp";
        if (PnmDecoder.IsPnm(header)) return "pnm";
        return null;
    }
}
