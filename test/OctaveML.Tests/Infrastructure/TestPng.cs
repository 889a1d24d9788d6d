using SkiaSharp;

namespace OctaveML.Tests.Infrastructure;

/// <summary>Lossless PNG files of given RGB pixels, written with SkiaSharp (the decoder LoadImages uses reads them back exactly).</summary>
internal static class TestPng
{
    /// <summary>Writes <paramref name="rgb"/> (w x h interleaved RGB bytes) to <paramref name="path"/> as an opaque PNG.</summary>
    public static void Save(string path, int w, int h, byte[] rgb)
    {
        if (rgb.Length != w * h * 3) throw new ArgumentException($"{w}x{h} RGB needs {w * h * 3} bytes; got {rgb.Length}.", nameof(rgb));
        using var bitmap = new SKBitmap(w, h, SKColorType.Rgba8888, SKAlphaType.Opaque);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                int p = (y * w + x) * 3;
                bitmap.SetPixel(x, y, new SKColor(rgb[p], rgb[p + 1], rgb[p + 2]));
            }
        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.WriteAllBytes(path, data.ToArray());
    }
}
