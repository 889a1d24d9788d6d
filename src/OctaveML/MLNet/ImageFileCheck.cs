using System.Buffers;
using SkiaSharp;

namespace OctaveML.MLNet;

/// <summary>
/// Decodes an image file with SkiaSharp's SKCodec (the decoder behind ML.NET's LoadImages) and says
/// what is wrong with it, if anything. LoadImages itself decodes a truncated JPEG or PNG without an
/// error (a partial image) and reports invalid files without naming them; SKCodec returns
/// IncompleteInput for the first and a null codec for the second.
/// </summary>
internal static class ImageFileCheck
{
    /// <summary>Images are decoded at a reduced scale (JPEG's DCT scaling) down to about this many pixels: the whole stream is still read.</summary>
    private const int CheckPixels = 1 << 20;

    /// <summary>The largest decoded size checked (256 MB of RGBA): larger declared dimensions are reported, not allocated.</summary>
    private const long MaxPixels = 1L << 26;

    /// <summary>
    /// The file a path names: under <paramref name="imageFolder"/> when that exists (as LoadImages
    /// combines them), else as given; null when it resolves nowhere and no folder was given (the
    /// relative path may resolve under LoadImages' own folder, which the trainer cannot see).
    /// </summary>
    public static string? Resolve(string path, string? imageFolder)
    {
        if (imageFolder is not null)
        {
            string combined = Path.Combine(imageFolder, path);
            if (File.Exists(combined) || !File.Exists(path)) return Path.GetFullPath(combined);
            return Path.GetFullPath(path);
        }
        if (Path.IsPathRooted(path) || File.Exists(path)) return Path.GetFullPath(path);
        return null;
    }

    /// <summary>Null when <paramref name="file"/> decodes completely; otherwise what is wrong with it.</summary>
    public static string? Problem(string file)
    {
        try
        {
            if (!File.Exists(file)) return "file not found";
            using var stream = File.OpenRead(file);
            using var codec = SKCodec.Create(stream, out var opened);
            if (codec is null)
                return opened == SKCodecResult.Unimplemented
                    ? "not an image (no decoder recognises its contents)"
                    : $"not a decodable image ({Describe(opened)})";
            var size = codec.Info;
            if (size.Width <= 0 || size.Height <= 0) return $"the image declares a size of {size.Width} x {size.Height}";
            float scale = (float)Math.Min(1.0, Math.Sqrt((double)CheckPixels / ((double)size.Width * size.Height)));
            var scaled = codec.GetScaledDimensions(scale);
            if ((long)scaled.Width * scaled.Height > MaxPixels)
                return $"the image declares {size.Width} x {size.Height} pixels, more than the {MaxPixels >> 20} megapixels the check decodes";
            var info = new SKImageInfo(scaled.Width, scaled.Height, SKColorType.Rgba8888, SKAlphaType.Premul);
            byte[] pixels = ArrayPool<byte>.Shared.Rent(info.BytesSize);
            try
            {
                SKCodecResult decoded;
                unsafe
                {
                    fixed (byte* p = pixels) decoded = codec.GetPixels(info, (IntPtr)p);
                }
                return decoded == SKCodecResult.Success ? null : Describe(decoded);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(pixels);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            return $"cannot be read: {e.Message}";
        }
    }

    private static string Describe(SKCodecResult result) => result switch
    {
        SKCodecResult.IncompleteInput => "truncated: the data ends before the image does",
        SKCodecResult.ErrorInInput => "corrupt: the decoder found invalid data",
        SKCodecResult.InvalidInput => "not decodable: invalid or unsupported contents",
        SKCodecResult.Unimplemented => "a format or variant SkiaSharp cannot decode",
        _ => $"SkiaSharp's decoder returned {result}",
    };
}
