using OctaveML.Data;

namespace OctaveML.Samples.Commands;

/// <summary>Tells which dataset layout a <c>--data</c> path holds, and finds the dataset shipped in the repository.</summary>
public static class DatasetDetector
{
    /// <summary>The shipped dataset, relative to the repository root.</summary>
    public static readonly string ShippedRelativePath = Path.Combine("data", "fashion-mnist-small");

    private static readonly string[] ManifestExtensions = [".csv", ".tsv", ".tab", ".txt"];

    /// <summary>The layout of <paramref name="path"/>; a <see cref="UsageException"/> naming --data when it is none of them.</summary>
    public static DatasetKind Detect(string path)
    {
        if (File.Exists(path))
        {
            if (ManifestExtensions.Contains(Path.GetExtension(path).ToLowerInvariant())) return DatasetKind.Manifest;
            throw new UsageException($"--data: {path} is a file but not a .csv/.tsv manifest; expected a manifest, an IDX folder, a CIFAR-10 binary folder or an image folder (one subfolder per class).");
        }
        if (!Directory.Exists(path))
            throw new UsageException($"--data: {path} does not exist; expected an IDX folder, a CIFAR-10 binary folder, an image folder (one subfolder per class) or a .csv/.tsv manifest.");
        if (IdxDataset.FolderHasIdxPairs(path)) return DatasetKind.Idx;
        if (IsCifar(path) || IsCifar(Path.Combine(path, "cifar-10-batches-bin"))) return DatasetKind.Cifar;
        if (Directory.EnumerateDirectories(path).Any()) return DatasetKind.ImageFolder;
        throw new UsageException($"--data: {path} holds no IDX pair (train-images-idx3-ubyte, t10k-...), no CIFAR-10 batches (data_batch_1.bin, test_batch.bin) and no class subfolders; expected one of those layouts.");
    }

    private static bool IsCifar(string folder) =>
        File.Exists(Path.Combine(folder, CifarDataset.TestFile)) || File.Exists(Path.Combine(folder, CifarDataset.TrainFiles[0]));

    /// <summary>
    /// The shipped Fashion-MNIST subset: data/fashion-mnist-small under the current directory or one of
    /// its parents, else under the folder holding OctaveML.sln above the executable; null when neither exists.
    /// </summary>
    public static string? FindShippedDataset() => FindInRepository(ShippedRelativePath);

    /// <summary>
    /// <paramref name="relativePath"/> under the current directory or one of its parents, else under the
    /// folder holding OctaveML.sln above the executable; null when neither exists.
    /// </summary>
    public static string? FindInRepository(string relativePath)
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                string candidate = Path.Combine(dir.FullName, relativePath);
                if (Directory.Exists(candidate)) return candidate;
                if (File.Exists(Path.Combine(dir.FullName, "OctaveML.sln"))) break; // the repository root: stop here
            }
        }
        return null;
    }
}
