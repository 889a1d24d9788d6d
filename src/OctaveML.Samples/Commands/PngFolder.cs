using OctaveML.Data;
using SkiaSharp;

namespace OctaveML.Samples.Commands;

/// <summary>
/// Writes IDX images as an image folder (one subfolder per class, 8-bit grayscale PNGs), the layout of
/// data/fashion-png, so that they go through ML.NET's LoadImages like any user's images.
/// </summary>
public static class PngFolder
{
    /// <summary>A Fashion-MNIST class name as a folder name, as data/fashion-png spells it ("T-shirt/top" is T-shirt_top).</summary>
    public static string FolderName(string className) => className.Replace('/', '_').Replace(' ', '_');

    /// <summary>
    /// Writes the first <paramref name="perClass"/> images (all when null) of each class in <paramref name="classes"/>
    /// (folder names) to <paramref name="folder"/>/&lt;class&gt;/&lt;n&gt;.png, n counting in file order, and returns their
    /// rows with absolute paths.
    /// </summary>
    public static List<ImageInput> Write(InMemoryImageDataset images, IReadOnlyCollection<string> classes, int? perClass, string folder)
    {
        if (images.Channels != 1) throw new ArgumentException($"expected grayscale images; these have {images.Channels} channels.", nameof(images));
        var names = images.ClassNames.Select(FolderName).ToArray();
        var unknown = classes.Where(c => !names.Contains(c)).ToList();
        if (unknown.Count > 0) throw new ArgumentException($"classes [{string.Join(", ", unknown)}] are not among the dataset's [{string.Join(", ", names)}].", nameof(classes));
        var written = new Dictionary<string, int>(StringComparer.Ordinal);
        var rows = new List<ImageInput>();
        foreach (var c in classes) Directory.CreateDirectory(Path.Combine(folder, c));
        using var bitmap = new SKBitmap(images.Width, images.Height, SKColorType.Gray8, SKAlphaType.Opaque);
        for (int i = 0; i < images.Count; i++)
        {
            string label = names[images.GetLabel(i)];
            if (!classes.Contains(label)) continue;
            int n = written.GetValueOrDefault(label);
            if (perClass is { } max && n >= max) continue;
            written[label] = n + 1;
            var pixels = images.GetPixels(i);
            var target = bitmap.GetPixelSpan();
            for (int y = 0; y < images.Height; y++)
                pixels.Slice(y * images.Width, images.Width).CopyTo(target.Slice(y * bitmap.RowBytes, images.Width));
            string path = Path.Combine(folder, label, $"{n}.png");
            using (var image = SKImage.FromBitmap(bitmap))
            using (var png = image.Encode(SKEncodedImageFormat.Png, 100))
            using (var file = File.Create(path))
                png.SaveTo(file);
            rows.Add(new ImageInput { ImagePath = Path.GetFullPath(path), Label = label });
        }
        return rows;
    }
}
