namespace OctaveML;

/// <summary>
/// Random changes to training images, drawn anew every epoch from (Seed, epoch, image): a shift by up
/// to <see cref="CropPadding"/> pixels each way (torchvision's RandomCrop(size, padding)), a
/// left-right mirror (RandomHorizontalFlip) and, when <see cref="ErasingProbability"/> is above 0, one
/// erased rectangle (RandomErasing), in that order. ML.NET has no image augmentation, so the trainer
/// does it. All act on normalised pixels: padding and erased rectangles show the training data's mean
/// colour. Validation and scoring never augment.
/// </summary>
public sealed class ImageAugmentation
{
    /// <summary>The largest shift in pixels, each way (default 4; 0 = no crop). At most the image's smaller side.</summary>
    public int CropPadding { get; set; } = 4;

    /// <summary>Mirror each image left-right with probability 0.5 (default true).</summary>
    public bool HorizontalFlip { get; set; } = true;

    /// <summary>
    /// The chance, in [0, 1], that a rectangle of each image is erased (Zhong et al.'s random erasing with
    /// torchvision's defaults: 2-33% of the area, aspect ratio 0.3-3.3). Default 0: none.
    /// </summary>
    public float ErasingProbability { get; set; }
}
