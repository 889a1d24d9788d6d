using OctaveML.Tensors;

namespace OctaveML.Data;

/// <summary>
/// One mini-batch from a <see cref="DataLoader"/>: images [B, C, H, W] and their labels. Each batch
/// owns fresh arrays, so a consumer may keep it as long as it likes.
/// </summary>
public sealed class Batch
{
    internal Batch(Tensor images, int[] labels, int[] indices, int epoch, int index, ulong seed)
    {
        Images = images; Labels = labels; Indices = indices; Epoch = epoch; Index = index; Seed = seed;
    }

    /// <summary>The images, [B, C, H, W]; transforms replace or modify it in place.</summary>
    public Tensor Images { get; set; }

    /// <summary>The class index of each image.</summary>
    public int[] Labels { get; }

    /// <summary>The dataset index of each image (what per-sample augmentation randomness is keyed on).</summary>
    public int[] Indices { get; }

    /// <summary>The epoch this batch belongs to.</summary>
    public int Epoch { get; }

    /// <summary>
    /// The loader's seed (<see cref="DataLoaderOptions.Seed"/>). Augmentations mix it into their
    /// randomness, so one loader seed fixes both the order and the augmentation of every epoch.
    /// </summary>
    public ulong Seed { get; }

    /// <summary>The position of this batch in its epoch, from 0.</summary>
    public int Index { get; }

    /// <summary>Images in the batch (B).</summary>
    public int Count => Labels.Length;
}
