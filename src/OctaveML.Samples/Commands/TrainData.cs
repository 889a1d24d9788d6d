using Microsoft.ML;
using Microsoft.ML.Data;

namespace OctaveML.Samples.Commands;

/// <summary>
/// The data of a <c>train</c> run as ML.NET data views: IDX and CIFAR through ml.Data.LoadFromIdx and
/// LoadFromCifar10 (their own test split; Features and a named Label key already); image folders and
/// manifests as rows of ImagePath and Label, 20% held out as test by ML.NET's TrainTestSplit, made into
/// features by MapValueToKey, LoadImages, ResizeImages and ExtractPixels.
/// </summary>
public sealed record TrainData(DatasetKind Kind, IDataView Train, IDataView Test, IEstimator<ITransformer>? Preprocessing,
    int TrainRows, int TestRows, (int Channels, int Height, int Width) Shape, int Classes, string? ImageFolder)
{
    /// <summary>Share of an image folder or manifest held out as the test split.</summary>
    public const double FolderTestFraction = 0.2;

    /// <summary>Loads and splits the data of <paramref name="path"/> (of layout <paramref name="kind"/>).</summary>
    public static TrainData Load(MLContext ml, string path, DatasetKind kind, TrainSettings s)
    {
        switch (kind)
        {
            case DatasetKind.Idx:
            case DatasetKind.Cifar:
            {
                var train = kind == DatasetKind.Idx ? ml.Data.LoadFromIdx(path, train: true) : ml.Data.LoadFromCifar10(path, train: true);
                var test = kind == DatasetKind.Idx ? ml.Data.LoadFromIdx(path, train: false) : ml.Data.LoadFromCifar10(path, train: false);
                var dims = ((VectorDataViewType)train.Schema["Features"].Type).Dimensions;
                if (s.Size is { } size && size != dims[2])
                    throw new UsageException($"--size: got {size}; {kind} data trains at its native {dims[2]}x{dims[1]}, so omit --size or pass {dims[2]}.");
                int trainRows = (int)train.GetRowCount()!.Value;
                if (s.MaxTrainImages is { } max && max < trainRows)
                {
                    train = ml.Data.TakeRows(ml.Data.ShuffleRows(train, seed: s.Seed), max); // a random sample of max images
                    trainRows = max;
                }
                int classes = (int)((KeyDataViewType)train.Schema["Label"].Type).Count;
                return new TrainData(kind, train, test, null, trainRows, (int)test.GetRowCount()!.Value, (dims[0], dims[1], dims[2]), classes, null);
            }
            default:
            {
                string folder = kind == DatasetKind.Manifest ? Path.GetDirectoryName(Path.GetFullPath(path))! : path;
                var rows = kind == DatasetKind.Manifest ? ImageRows.FromManifest(ml, path) : ImageRows.FromFolder(path);
                if (rows.Count < 4) throw new UsageException($"--data: {path} has {rows.Count} images; expected at least 4.");
                var split = ml.Data.TrainTestSplit(ml.Data.LoadFromEnumerable(rows), FolderTestFraction, seed: s.Seed);
                var train = split.TrainSet;
                int trainRows = Count(ml, train);
                if (s.MaxTrainImages is { } max && max < trainRows)
                {
                    train = ml.Data.TakeRows(ml.Data.ShuffleRows(train, seed: s.Seed), max);
                    trainRows = max;
                }
                int side = s.Size ?? 224;
                var preprocessing = ml.Transforms.Conversion.MapValueToKey("Label")
                    .Append(ml.Transforms.LoadImages("Image", folder, "ImagePath"))
                    .Append(ml.Transforms.ResizeImages("Image", side, side))
                    .Append(ml.Transforms.ExtractPixels("Features", "Image"));
                int classes = rows.Select(r => r.Label).Distinct().Count();
                return new TrainData(kind, train, split.TestSet, preprocessing, trainRows, Count(ml, split.TestSet), (3, side, side), classes, folder);
            }
        }
    }

    private static int Count(MLContext ml, IDataView rows) => ml.Data.CreateEnumerable<ImageInput>(rows, reuseRowObject: true).Count();
}
