namespace OctaveML.Data;

/// <summary>Loads CIFAR-10 binary batches into an <see cref="InMemoryImageDataset"/> of 3x32x32 RGB images.</summary>
public static class CifarDataset
{
    /// <summary>CIFAR-10's classes, in label order (used when no batches.meta.txt is present).</summary>
    public static IReadOnlyList<string> Cifar10ClassNames { get; } =
        ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"];

    /// <summary>The training batch file names.</summary>
    public static IReadOnlyList<string> TrainFiles { get; } =
        ["data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin"];

    /// <summary>The test batch file name.</summary>
    public const string TestFile = "test_batch.bin";

    /// <summary>
    /// Loads <paramref name="batchFiles"/> in order into one dataset. Labels must be below the
    /// number of <paramref name="classNames"/> (default: CIFAR-10's ten).
    /// </summary>
    public static InMemoryImageDataset Load(IReadOnlyList<string> batchFiles, IReadOnlyList<string>? classNames = null)
    {
        ArgumentNullException.ThrowIfNull(batchFiles);
        if (batchFiles.Count == 0) throw new ArgumentException("batchFiles must name at least one file.", nameof(batchFiles));
        classNames ??= Cifar10ClassNames;
        var parts = batchFiles.Select(f => CifarReader.ReadBatch(f, classNames.Count)).ToArray();
        long total = parts.Sum(p => (long)p.Labels.Length);
        if (total * CifarReader.ImageBytes > Array.MaxLength)
            throw new ArgumentException($"the batches hold {total} images, more than one array can.", nameof(batchFiles));
        var pixels = new byte[total * CifarReader.ImageBytes];
        var labels = new int[total];
        int n = 0;
        foreach (var (p, l) in parts)
        {
            Buffer.BlockCopy(p, 0, pixels, n * CifarReader.ImageBytes, p.Length);
            l.CopyTo(labels, n);
            n += l.Length;
        }
        return new InMemoryImageDataset(pixels, labels, 3, CifarReader.Side, CifarReader.Side, classNames);
    }

    /// <summary>
    /// Loads the five training batches or the test batch from <paramref name="folder"/> (the
    /// extracted <c>cifar-10-batches-bin</c>, or a folder that contains it). Class names come from
    /// <c>batches.meta.txt</c> when present. Every expected file must exist: a missing batch is an
    /// error naming it, never a silently smaller dataset.
    /// </summary>
    public static InMemoryImageDataset LoadFolder(string folder, bool train)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        if (!Directory.Exists(folder))
            throw new DirectoryNotFoundException($"CIFAR folder {folder} does not exist.");
        string nested = Path.Combine(folder, "cifar-10-batches-bin");
        if (!File.Exists(Path.Combine(folder, TestFile)) && !File.Exists(Path.Combine(folder, TrainFiles[0])) && Directory.Exists(nested))
            folder = nested;
        var files = (train ? TrainFiles : [TestFile]).Select(f => Path.Combine(folder, f)).ToArray();
        var missing = files.Where(f => !File.Exists(f)).ToArray();
        if (missing.Length > 0)
            throw new FileNotFoundException($"{folder} lacks {string.Join(", ", missing.Select(Path.GetFileName))}; expected the CIFAR-10 binary batches.", missing[0]);
        var names = CifarReader.ReadClassNames(Path.Combine(folder, "batches.meta.txt"));
        return Load(files, names);
    }
}
