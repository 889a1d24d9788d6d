using OctaveML.Data;
using OctaveML.Data.Augmentations;

namespace OctaveML.Samples.Commands;

/// <summary>
/// The three splits of a <c>train</c> run and their loaders: train (augmented: random crop, flip
/// unless digits; normalised), validation and test (normalised only). IDX and CIFAR bring their own
/// test split; image folders and manifests hold out a stratified 20% as test.
/// </summary>
public sealed class TrainData : IDisposable
{
    /// <summary>Share of an image folder held out as the test split.</summary>
    public const double FolderTestFraction = 0.2;

    private TrainData(DatasetKind kind, string path, IImageDataset train, IImageDataset? validation, IImageDataset test,
                      DataLoader trainLoader, DataLoader? validationLoader, DataLoader testLoader, int padding, bool flip)
    {
        Kind = kind; Path = path; Train = train; Validation = validation; Test = test;
        TrainLoader = trainLoader; ValidationLoader = validationLoader; TestLoader = testLoader;
        CropPadding = padding; Flip = flip;
    }

    /// <summary>The detected layout.</summary>
    public DatasetKind Kind { get; }
    /// <summary>The --data path.</summary>
    public string Path { get; }
    /// <summary>The images trained on.</summary>
    public IImageDataset Train { get; }
    /// <summary>The per-epoch validation images (null with --validation-fraction 0).</summary>
    public IImageDataset? Validation { get; }
    /// <summary>The final test images.</summary>
    public IImageDataset Test { get; }
    /// <summary>Shuffled, augmented batches of <see cref="Train"/>.</summary>
    public DataLoader TrainLoader { get; }
    /// <summary>Batches of <see cref="Validation"/>.</summary>
    public DataLoader? ValidationLoader { get; }
    /// <summary>Batches of <see cref="Test"/>.</summary>
    public DataLoader TestLoader { get; }
    /// <summary>The random-crop padding of the training images.</summary>
    public int CropPadding { get; }
    /// <summary>Whether training images are flipped at random.</summary>
    public bool Flip { get; }

    /// <summary>Loads, splits and wraps the data of <paramref name="path"/> (of layout <paramref name="kind"/>).</summary>
    public static TrainData Load(string path, DatasetKind kind, TrainSettings s, TextWriter log)
    {
        ulong seed = (ulong)s.Seed;
        IImageDataset trainAll, test;
        switch (kind)
        {
            case DatasetKind.Idx:
            case DatasetKind.Cifar:
                trainAll = kind == DatasetKind.Idx ? IdxDataset.LoadFolder(path, train: true) : CifarDataset.LoadFolder(path, train: true);
                test = kind == DatasetKind.Idx ? IdxDataset.LoadFolder(path, train: false) : CifarDataset.LoadFolder(path, train: false);
                if (s.Size is { } size && size != trainAll.Width)
                    throw new UsageException($"--size: got {size}; {kind} data trains at its native {trainAll.Width}x{trainAll.Height}, so omit --size or pass {trainAll.Width}.");
                break;
            default:
                int side = s.Size ?? 224;
                var options = new ImageFolderOptions
                {
                    Width = side, Height = side, SkipBadFiles = true,
                    Workers = Math.Max(1, s.Threads ?? Environment.ProcessorCount),
                    CacheBytes = 1L << 30, // decoded and resized once, then served from memory
                    OnSkipped = new LineProgress<BadImageFile>(b => log.WriteLine($"skipped {b}")),
                };
                var all = kind == DatasetKind.Manifest ? ImageFolderDataset.FromManifest(path, options) : ImageFolderDataset.FromFolder(path, options);
                if (all.Count < 4) throw new UsageException($"--data: {path} has {all.Count} usable images; expected at least 4.");
                var (rest, held) = DatasetSplit.Stratified(all, FolderTestFraction, seed);
                trainAll = rest; test = held;
                break;
        }

        if (s.MaxTrainImages is { } max && max < trainAll.Count)
            trainAll = DatasetSplit.Stratified(trainAll, (double)max / trainAll.Count, seed + 1).Validation; // a stratified sample of ~max images

        IImageDataset train = trainAll;
        IImageDataset? validation = null;
        if (s.ValidationFraction > 0)
        {
            var (t, v) = DatasetSplit.Stratified(trainAll, s.ValidationFraction, seed + 2);
            if (v.Count > 0 && t.Count > 0) { train = t; validation = v; }
        }
        if (train.Count == 0) throw new UsageException($"--max-train-images: no training images are left; expected a larger value.");

        // Statistics of the training images only; an image folder decodes files, so a sample suffices.
        var (mean, std) = ChannelStatistics.Compute(train, kind is DatasetKind.Idx or DatasetKind.Cifar ? 10_000 : 256);
        for (int c = 0; c < std.Length; c++) std[c] = Math.Max(std[c], 1e-3f);
        var normalize = new Normalize(mean, std);

        int side2 = train.Width;
        int padding = side2 >= 64 ? side2 / 16 : side2 >= 32 ? 4 : 2;
        bool flip = !(kind == DatasetKind.Idx && trainAll.ClassNames.SequenceEqual(IdxDataset.DigitClassNames)); // a mirrored digit is another symbol
        var augment = new List<IBatchTransform> { new RandomCrop(padding, seed) };
        if (flip) augment.Add(new RandomHorizontalFlip(0.5, seed));
        augment.Add(normalize);

        int workers = kind is DatasetKind.ImageFolder or DatasetKind.Manifest ? Math.Max(1, s.Threads ?? Environment.ProcessorCount) : 1;
        var trainLoader = new DataLoader(train, new DataLoaderOptions
        {
            BatchSize = s.BatchSize, Shuffle = true, Seed = seed, Workers = workers, Transform = new Compose(augment.ToArray()),
        });
        DataLoader Plain(IImageDataset d) => new(d, new DataLoaderOptions { BatchSize = s.BatchSize, Shuffle = false, Workers = workers, Transform = normalize });
        return new TrainData(kind, path, train, validation, test, trainLoader, validation is null ? null : Plain(validation), Plain(test), padding, flip);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        TrainLoader.Dispose();
        ValidationLoader?.Dispose();
        TestLoader.Dispose();
    }
}
