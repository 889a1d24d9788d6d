namespace OctaveML;

/// <summary>
/// Random changes to training images, drawn anew every epoch from (Seed, epoch, image): a shift by up
/// to <see cref="CropPadding"/> pixels each way (torchvision's RandomCrop(size, padding)) and a
/// left-right mirror (RandomHorizontalFlip). ML.NET has no image augmentation, so the trainer does it.
/// Both act on normalised pixels: padding shows the training data's mean colour. Validation and
/// scoring never augment.
/// </summary>
public sealed class ImageAugmentation
{
    /// <summary>The largest shift in pixels, each way (default 4; 0 = no crop). At most the image's smaller side.</summary>
    public int CropPadding { get; set; } = 4;

    /// <summary>Mirror each image left-right with probability 0.5 (default true).</summary>
    public bool HorizontalFlip { get; set; } = true;
}
