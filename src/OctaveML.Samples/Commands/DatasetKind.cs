namespace OctaveML.Samples.Commands;

/// <summary>The layouts <c>train --data</c> understands.</summary>
public enum DatasetKind
{
    /// <summary>MNIST-style IDX pairs (train-* and t10k-*), e.g. Fashion-MNIST.</summary>
    Idx,
    /// <summary>The CIFAR-10 binary batches (data_batch_1..5.bin, test_batch.bin).</summary>
    Cifar,
    /// <summary>A folder per class of image files.</summary>
    ImageFolder,
    /// <summary>A CSV/TSV manifest of path,label rows.</summary>
    Manifest,
}
