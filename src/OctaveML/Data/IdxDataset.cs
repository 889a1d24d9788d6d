namespace OctaveML.Data;

/// <summary>
/// Loads MNIST-style IDX image/label pairs (Fashion-MNIST, MNIST) into an
/// <see cref="InMemoryImageDataset"/> of 1 x rows x columns grayscale images.
/// </summary>
public static class IdxDataset
{
    /// <summary>Fashion-MNIST's classes, in label order.</summary>
    public static IReadOnlyList<string> FashionMnistClassNames { get; } =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    /// <summary>MNIST's classes: the digits "0" to "9".</summary>
    public static IReadOnlyList<string> DigitClassNames { get; } = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];

    /// <summary>
    /// Loads an image file (magic 0x00000803) and its label file (0x00000801), plain or gzipped.
    /// With <paramref name="classNames"/>, every label must be below its count; without, the classes
    /// are "0" .. "max label". Throws <see cref="DatasetFormatException"/> for a malformed file, for
    /// different image and label counts, or for a label out of range.
    /// </summary>
    public static InMemoryImageDataset Load(string imagesPath, string labelsPath, IReadOnlyList<string>? classNames = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(imagesPath);
        ArgumentException.ThrowIfNullOrEmpty(labelsPath);
        var images = IdxReader.ReadImages(imagesPath);
        byte[] labelBytes = IdxReader.ReadLabels(labelsPath);
        if (labelBytes.Length != images.Count)
            throw new DatasetFormatException(labelsPath, 4, $"{labelBytes.Length} labels; expected {images.Count}, the image count of {imagesPath}");
        int classes = classNames?.Count ?? (labelBytes.Length == 0 ? 1 : labelBytes.Max() + 1);
        var labels = new int[labelBytes.Length];
        for (int i = 0; i < labels.Length; i++)
        {
            if (labelBytes[i] >= classes)
                throw new DatasetFormatException(labelsPath, 8 + i, $"label {labelBytes[i]} of item {i}; expected 0 to {classes - 1} ({classes} classes)");
            labels[i] = labelBytes[i];
        }
        classNames ??= Enumerable.Range(0, classes).Select(c => c.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        return new InMemoryImageDataset(images.Pixels, labels, 1, images.Rows, images.Columns, classNames);
    }

    /// <summary>
    /// Loads the training (<c>train-images-idx3-ubyte</c> / <c>train-labels-idx1-ubyte</c>) or test
    /// (<c>t10k-...</c>) pair from <paramref name="folder"/>, each with or without ".gz" (and the
    /// dotted spelling <c>train-images.idx3-ubyte</c> too). The class names are Fashion-MNIST's when
    /// the folder's path contains "fashion" (case-insensitive), else the digits, unless
    /// <paramref name="classNames"/> says otherwise. Example: <c>LoadFolder("/usr/share/datasets/fashion-mnist", train: true)</c>.
    /// </summary>
    public static InMemoryImageDataset LoadFolder(string folder, bool train, IReadOnlyList<string>? classNames = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        if (!Directory.Exists(folder))
            throw new DirectoryNotFoundException($"IDX folder {folder} does not exist.");
        string prefix = train ? "train" : "t10k";
        string images = Find(folder, prefix, "images", 3);
        string labels = Find(folder, prefix, "labels", 1);
        classNames ??= IsFashion(folder) ? FashionMnistClassNames : DigitClassNames;
        return Load(images, labels, classNames);
    }

    /// <summary>True when <paramref name="folder"/> holds both IDX pairs (train and t10k).</summary>
    public static bool FolderHasIdxPairs(string folder)
    {
        if (!Directory.Exists(folder)) return false;
        foreach (var prefix in new[] { "train", "t10k" })
            foreach (var (kind, rank) in new[] { ("images", 3), ("labels", 1) })
                if (TryFind(folder, prefix, kind, rank) is null) return false;
        return true;
    }

    private static bool IsFashion(string folder) =>
        Path.GetFullPath(folder).Contains("fashion", StringComparison.OrdinalIgnoreCase);

    private static string Find(string folder, string prefix, string kind, int rank) =>
        TryFind(folder, prefix, kind, rank)
        ?? throw new FileNotFoundException(
            $"{folder} has no {prefix}-{kind}-idx{rank}-ubyte (or .gz, or {prefix}-{kind}.idx{rank}-ubyte); expected an MNIST-style IDX folder.",
            Path.Combine(folder, $"{prefix}-{kind}-idx{rank}-ubyte.gz"));

    private static string? TryFind(string folder, string prefix, string kind, int rank)
    {
        foreach (var name in new[] { $"{prefix}-{kind}-idx{rank}-ubyte", $"{prefix}-{kind}.idx{rank}-ubyte" })
            foreach (var ext in new[] { ".gz", "" })
            {
                string p = Path.Combine(folder, name + ext);
                if (File.Exists(p)) return p;
            }
        return null;
    }
}
