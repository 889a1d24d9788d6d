using OctaveML.Data;

namespace Microsoft.ML;

/// <summary>
/// The IDX and CIFAR-10 readers on <c>mlContext.Data</c> (in namespace Microsoft.ML, as ML.NET's own
/// LoadFromTextFile). Each returns a data view with a Features column, planar pixels of dimensions
/// [C, H, W] as floats 0-255, and a Label key column whose key values are the class names: what an
/// OctaveML trainer takes without any transform in front.
/// </summary>
public static class OctaveMLDataCatalog
{
    /// <summary>
    /// The training (<c>train-images-idx3-ubyte</c>, <c>train-labels-idx1-ubyte</c>) or test (<c>t10k-...</c>)
    /// images of an MNIST-style IDX folder, plain or gzipped, as 1 x rows x columns images. Class names are
    /// Fashion-MNIST's when the folder's path contains "fashion", else the digits, unless <paramref name="classNames"/> gives them.
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="FileNotFoundException">The folder lacks the IDX pair.</exception>
    /// <exception cref="DatasetFormatException">A file is malformed or a label is out of range.</exception>
    public static IDataView LoadFromIdx(this DataOperationsCatalog catalog, string folder, bool train = true, IReadOnlyList<string>? classNames = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new ImageDatasetDataView(IdxDataset.LoadFolder(folder, train, classNames));
    }

    /// <summary>
    /// The five training batches or the test batch of CIFAR-10's binary version (the extracted
    /// <c>cifar-10-batches-bin</c>, or a folder holding it), as 3 x 32 x 32 images. Class names come from
    /// <c>batches.meta.txt</c> when present.
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="FileNotFoundException">A batch file is missing.</exception>
    /// <exception cref="DatasetFormatException">A batch is malformed or a label is out of range.</exception>
    public static IDataView LoadFromCifar10(this DataOperationsCatalog catalog, string folder, bool train = true)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new ImageDatasetDataView(CifarDataset.LoadFolder(folder, train));
    }
}
