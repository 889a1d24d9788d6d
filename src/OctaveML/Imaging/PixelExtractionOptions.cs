namespace OctaveML.Imaging;

/// <summary>
/// How <see cref="PixelExtractor"/> turns image bytes into floats (ML.NET's ExtractPixels options, plus
/// torchvision-style mean/std normalisation).
/// </summary>
public sealed record PixelExtractionOptions
{
    /// <summary>False (default, ML.NET's default too): planar CHW, one plane per channel. True: interleaved HWC.</summary>
    public bool Interleave { get; init; }

    /// <summary>Channel order of colour output.</summary>
    public ColorOrder Order { get; init; } = ColorOrder.Rgb;

    /// <summary>
    /// Output channels: 3 (colour; a grayscale image is replicated) or 1 (gray; a colour image is
    /// converted with the ITU-R 601-2 luma Pillow's convert('L') uses).
    /// </summary>
    public int Channels { get; init; } = 3;

    /// <summary>ML.NET's OffsetImage: subtracted from each byte before scaling, value = (pixel - Offset) * Scale.</summary>
    public float Offset { get; init; }

    /// <summary>ML.NET's ScaleImage: multiplies (pixel - Offset).</summary>
    public float Scale { get; init; } = 1f;

    /// <summary>
    /// Per-colour means, in R, G, B order whatever <see cref="Order"/> is (one value for 1 channel).
    /// When Mean or Std is set, value = (pixel / 255 - Mean[c]) / Std[c] and Offset/Scale must keep their defaults.
    /// </summary>
    public float[]? Mean { get; init; }

    /// <summary>Per-colour standard deviations, in R, G, B order; see <see cref="Mean"/>.</summary>
    public float[]? Std { get; init; }

    /// <summary>Raw bytes as floats (0..255), planar RGB.</summary>
    public static PixelExtractionOptions Default { get; } = new();

    /// <summary>torchvision's ImageNet normalisation: mean (0.485, 0.456, 0.406), std (0.229, 0.224, 0.225), planar RGB.</summary>
    public static PixelExtractionOptions ImageNet { get; } = new() { Mean = [0.485f, 0.456f, 0.406f], Std = [0.229f, 0.224f, 0.225f] };
}
