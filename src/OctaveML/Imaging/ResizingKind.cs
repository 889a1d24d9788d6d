namespace OctaveML.Imaging;

/// <summary>How an image is fitted to the target size (ML.NET's ImageResizingEstimator.ResizingKind).</summary>
public enum ResizingKind
{
    /// <summary>Stretch to the target width and height, ignoring the aspect ratio.</summary>
    Fill = 0,

    /// <summary>Keep the aspect ratio, scale to fit inside the target, pad the rest with black (centred).</summary>
    IsoPad = 1,

    /// <summary>Keep the aspect ratio, scale to cover the target, crop what sticks out at the <see cref="Anchor"/>.</summary>
    IsoCrop = 2,
}
