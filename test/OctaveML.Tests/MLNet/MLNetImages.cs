using Microsoft.ML;
using SkiaSharp;

namespace OctaveML.Tests.MLNet;

/// <summary>A row as ML.NET users write them: an image file and its class.</summary>
public sealed class ImageRow
{
    public string ImagePath { get; set; } = "";
    public string Label { get; set; } = "";
}

/// <summary>Real images (the shipped data/fashion-png), image files made with SkiaSharp, and the usual ML.NET preprocessing.</summary>
internal static class MLNetImages
{
    public static readonly string[] Classes = ["Bag", "Trouser", "Sneaker"];

    /// <summary>data/fashion-png: 28x28 grayscale PNGs, a folder per class, found above the test binaries.</summary>
    public static string FashionFolder { get; } = FindFashion();

    private static string FindFashion()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "data", "fashion-png");
            if (Directory.Exists(candidate)) return candidate;
        }
        throw new InvalidOperationException("data/fashion-png not found above " + AppContext.BaseDirectory);
    }

    /// <summary>The first <paramref name="perClass"/> images of each class, paths relative to <see cref="FashionFolder"/> (or absolute).</summary>
    public static List<ImageRow> FashionRows(int perClass, string[]? classes = null, bool absolute = false, int first = 0) =>
        (classes ?? Classes).SelectMany(c => Enumerable.Range(first, perClass).Select(i => new ImageRow
        {
            ImagePath = absolute ? Path.Combine(FashionFolder, c, $"{i}.png") : Path.Combine(c, $"{i}.png"),
            Label = c,
        })).ToList();

    /// <summary>MapValueToKey("Label"), LoadImages, ResizeImages and ExtractPixels, as the ML.NET program has them.</summary>
    public static IEstimator<ITransformer> Preprocessing(MLContext ml, string? imageFolder, int size, float scale = 1f, float offset = 0f) =>
        ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.LoadImages("Image", imageFolder, "ImagePath"))
            .Append(ml.Transforms.ResizeImages("Image", size, size))
            .Append(ml.Transforms.ExtractPixels("Features", "Image", scaleImage: scale, offsetImage: offset));

    /// <summary>The rows after <see cref="Preprocessing"/> (fitted on them).</summary>
    public static IDataView Prepared(MLContext ml, IEnumerable<ImageRow> rows, string? imageFolder, int size)
    {
        var data = ml.Data.LoadFromEnumerable(rows);
        return Preprocessing(ml, imageFolder, size).Fit(data).Transform(data);
    }

    /// <summary>A w x h RGB picture of smooth gradients and a seeded pattern, encoded as PNG or JPEG.</summary>
    public static byte[] Encode(int w, int h, int seed, SKEncodedImageFormat format, int quality = 90)
    {
        using var bitmap = new SKBitmap(w, h, SKColorType.Rgba8888, SKAlphaType.Opaque);
        var rng = new Random(seed);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                bitmap.SetPixel(x, y, new SKColor((byte)(x * 255 / w), (byte)(y * 255 / h), (byte)((x * y + seed * 37 + rng.Next(16)) & 0xFF)));
        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(format, quality);
        return data.ToArray();
    }
}

/// <summary>A temporary folder, deleted on dispose.</summary>
internal sealed class ScratchFolder : IDisposable
{
    public ScratchFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "octaveml-mlnet-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>Writes <paramref name="bytes"/> to <paramref name="name"/> and returns its full path.</summary>
    public string Write(string name, byte[] bytes)
    {
        string path = File(name);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        System.IO.File.WriteAllBytes(path, bytes);
        return path;
    }

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}
