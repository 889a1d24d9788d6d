using OctaveML.Imaging.Jpeg;

namespace OctaveML.Imaging;

/// <summary>
/// A managed JPEG decoder matching libjpeg-turbo's djpeg defaults (accurate integer IDCT, fancy
/// upsampling): baseline and progressive Huffman-coded 8-bit JPEGs with 1 (gray), 3 (YCbCr or
/// Adobe RGB) or 4 (Adobe CMYK/YCCK) components, any integral chroma subsampling, restart
/// intervals and EXIF orientation. Arithmetic-coded, lossless and 12-bit files raise
/// <see cref="UnsupportedImageFormatException"/>; damaged ones <see cref="ImageFormatException"/>.
/// </summary>
public static class JpegDecoder
{
    /// <summary>True when <paramref name="header"/> starts like a JPEG (SOI then a marker: FF D8 FF).</summary>
    public static bool IsJpeg(ReadOnlySpan<byte> header) =>
        header.Length >= 3 && header[0] == 0xFF && header[1] == 0xD8 && header[2] == 0xFF;

    /// <summary>
    /// Decodes a JPEG to RGB (or grayscale when <see cref="DecodeOptions.Grayscale"/>), upright per
    /// its EXIF orientation unless <see cref="DecodeOptions.ApplyExifOrientation"/> is false.
    /// </summary>
    /// <param name="data">The whole file.</param>
    /// <param name="options">Decode options (defaults when null).</param>
    /// <param name="fileName">Named in exception messages; null when decoding from memory.</param>
    /// <exception cref="ImageFormatException">The data is not a (complete, valid) JPEG or is too large.</exception>
    /// <exception cref="UnsupportedImageFormatException">A valid JPEG in a variant this decoder does not handle.</exception>
    public static unsafe Image Decode(ReadOnlySpan<byte> data, DecodeOptions? options = null, string? fileName = null)
    {
        fixed (byte* p = data)
            return new JpegDecoderCore(p, data.Length, options ?? DecodeOptions.Default, fileName).Decode();
    }
}
