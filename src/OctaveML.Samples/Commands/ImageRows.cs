using Microsoft.ML;
using Microsoft.ML.Data;

namespace OctaveML.Samples.Commands;

/// <summary>One input row of the ML.NET programs: an image file and its class.</summary>
public sealed class ImageInput
{
    /// <summary>The image file, relative to the image folder (or absolute).</summary>
    public string ImagePath { get; set; } = "";

    /// <summary>The class name (unused when predicting).</summary>
    public string Label { get; set; } = "";
}

/// <summary>One prediction: the class name and the per-class probabilities.</summary>
public sealed class ImagePrediction
{
    /// <summary>The predicted class name (MapKeyToValue of the trainer's key).</summary>
    public string PredictedLabel { get; set; } = "";

    /// <summary>One probability per class, in key order.</summary>
    public float[] Score { get; set; } = [];
}

/// <summary>The rows of an image folder (one subfolder per class) or of a CSV/TSV manifest.</summary>
public static class ImageRows
{
    private static readonly HashSet<string> ImageExtensions = new(StringComparer.OrdinalIgnoreCase)
        { ".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp" };

    /// <summary>
    /// Every image file (png, jpg, jpeg, bmp, gif, webp) in the class subfolders of <paramref name="folder"/>,
    /// paths relative to it, label = subfolder name, in ordinal order.
    /// </summary>
    public static List<ImageInput> FromFolder(string folder)
    {
        if (!Directory.Exists(folder))
            throw new UsageException($"--data: {folder} does not exist; expected an image folder (one subfolder per class).");
        var rows = Directory.GetDirectories(folder).Order(StringComparer.Ordinal)
            .SelectMany(d => Directory.EnumerateFiles(d, "*", SearchOption.AllDirectories)
                .Where(f => ImageExtensions.Contains(Path.GetExtension(f))).Order(StringComparer.Ordinal)
                .Select(f => new ImageInput { ImagePath = Path.GetRelativePath(folder, f), Label = Path.GetFileName(d) }))
            .ToList();
        if (rows.Count == 0)
            throw new UsageException($"--data: {folder} has no image files ({string.Join(", ", ImageExtensions.Order())}) in class subfolders.");
        return rows;
    }

    private static readonly HashSet<string> HeaderNames = new(StringComparer.OrdinalIgnoreCase)
        { "path", "imagepath", "image_path", "image", "file", "filename", "file_name" };

    /// <summary>A manifest line as ML.NET's text loader reads it: the image path, then the label.</summary>
    private sealed class ManifestLine
    {
        [LoadColumn(0)] public string ImagePath { get; set; } = "";
        [LoadColumn(1)] public string Label { get; set; } = "";
    }

    /// <summary>
    /// The rows of a CSV/TSV manifest, read with ML.NET's text loader: path then label on each line (tabs
    /// for .tsv/.tab files, else commas; quoted fields allowed), paths relative to the manifest's folder.
    /// A first line whose path field is a column name (path, ImagePath, image, file, filename) is a header.
    /// </summary>
    public static List<ImageInput> FromManifest(MLContext ml, string manifest)
    {
        if (!File.Exists(manifest)) throw new UsageException($"--data: {manifest} does not exist; expected a .csv/.tsv manifest.");
        char separator = Path.GetExtension(manifest).ToLowerInvariant() is ".tsv" or ".tab" ? '\t' : ',';
        string? first = File.ReadLines(manifest).FirstOrDefault(l => l.Trim().Length > 0);
        bool header = first is not null && HeaderNames.Contains(first.Split(separator)[0].Trim().Trim('"'));
        var lines = ml.Data.CreateEnumerable<ManifestLine>(
            ml.Data.LoadFromTextFile<ManifestLine>(manifest, separator, hasHeader: header, allowQuoting: true, trimWhitespace: true),
            reuseRowObject: false).ToList();
        var rows = new List<ImageInput>(lines.Count);
        for (int i = 0; i < lines.Count; i++)
        {
            var (path, label) = (lines[i].ImagePath.Trim(), lines[i].Label.Trim());
            if (path.Length == 0 || label.Length == 0)
                throw new UsageException($"--data: {manifest} row {i + 1}{(header ? " after the header" : "")} has {(path.Length == 0 ? "no path" : "no label")}; expected path{(separator == ',' ? "," : "<tab>")}label on every line.");
            rows.Add(new ImageInput { ImagePath = Path.DirectorySeparatorChar == '/' ? path.Replace('\\', '/') : path, Label = label });
        }
        if (rows.Count == 0) throw new UsageException($"--data: {manifest} lists no images; expected path{(separator == ',' ? "," : "<tab>")}label lines.");
        return rows;
    }
}
