using System.Text.Json.Nodes;
using OctaveML.Imaging;

namespace OctaveML.Pipeline;

/// <summary>Turns fixed-size images into float vectors (ML.NET's <c>ExtractPixels</c>).</summary>
public sealed class ImagePixelExtractingEstimator : TrivialEstimator<ImagePixelExtractingTransformer>
{
    /// <summary>Which colours to extract (ML.NET's <c>ColorBits</c>); images here have no alpha, so Rgb is the one choice.</summary>
    [Flags]
    public enum ColorBits : byte
    {
        /// <summary>Alpha (not available: decoded images are opaque).</summary>
        Alpha = 0x01,
        /// <summary>Red.</summary>
        Red = 0x02,
        /// <summary>Green.</summary>
        Green = 0x04,
        /// <summary>Blue.</summary>
        Blue = 0x08,
        /// <summary>Red, green and blue (the default).</summary>
        Rgb = Red | Green | Blue,
        /// <summary>Everything.</summary>
        All = Alpha | Rgb,
    }

    /// <summary>The order of the colour planes (ML.NET's <c>ColorsOrder</c>; alpha, absent here, is skipped).</summary>
    public enum ColorsOrder : byte
    {
        /// <summary>R, G, B (the default).</summary>
        ARGB = 1,
        /// <summary>R, B, G.</summary>
        ARBG = 2,
        /// <summary>B, R, G.</summary>
        ABRG = 3,
        /// <summary>B, G, R (OpenCV / Caffe order).</summary>
        ABGR = 4,
        /// <summary>G, R, B.</summary>
        AGRB = 5,
        /// <summary>G, B, R.</summary>
        AGBR = 6,
    }

    internal ImagePixelExtractingEstimator(ImagePixelExtractingTransformer transformer) : base(transformer) { }
}

/// <summary>
/// Extracts each image's pixels as float[]: value = (byte - <see cref="OffsetImage"/>) *
/// <see cref="ScaleImage"/>, planar [3, H, W] (CHW, what the trainers take) or interleaved [H, W, 3],
/// in RGB or BGR order. Grayscale images are replicated to three planes. Use scaleImage: 1f / 255
/// for values in [0, 1].
/// </summary>
public sealed class ImagePixelExtractingTransformer : OneToOneTransformerBase
{
    private readonly PixelExtractionOptions _options;

    internal ImagePixelExtractingTransformer(ImagePixelExtractingEstimator.ColorBits colorsToExtract, ImagePixelExtractingEstimator.ColorsOrder orderOfExtraction,
        bool interleavePixelColors, float offsetImage, float scaleImage, (string Output, string Input)[] columns) : base(columns)
    {
        if (colorsToExtract != ImagePixelExtractingEstimator.ColorBits.Rgb)
            throw new ArgumentOutOfRangeException(nameof(colorsToExtract), colorsToExtract, "colorsToExtract must be ColorBits.Rgb: decoded images have no alpha, and single colours are not supported.");
        var order = orderOfExtraction switch
        {
            ImagePixelExtractingEstimator.ColorsOrder.ARGB => ColorOrder.Rgb,
            ImagePixelExtractingEstimator.ColorsOrder.ABGR => ColorOrder.Bgr,
            _ => throw new ArgumentOutOfRangeException(nameof(orderOfExtraction), orderOfExtraction, "orderOfExtraction must be ColorsOrder.ARGB (RGB planes) or ColorsOrder.ABGR (BGR planes)."),
        };
        if (!float.IsFinite(offsetImage)) throw new ArgumentOutOfRangeException(nameof(offsetImage), offsetImage, "offsetImage must be finite.");
        if (!float.IsFinite(scaleImage) || scaleImage == 0) throw new ArgumentOutOfRangeException(nameof(scaleImage), scaleImage, "scaleImage must be finite and non-zero.");
        ColorsToExtract = colorsToExtract; OrderOfExtraction = orderOfExtraction;
        InterleavePixelColors = interleavePixelColors; OffsetImage = offsetImage; ScaleImage = scaleImage;
        _options = new PixelExtractionOptions { Interleave = interleavePixelColors, Order = order, Offset = offsetImage, Scale = scaleImage };
    }

    /// <summary>The colours extracted.</summary>
    public ImagePixelExtractingEstimator.ColorBits ColorsToExtract { get; }

    /// <summary>The plane order.</summary>
    public ImagePixelExtractingEstimator.ColorsOrder OrderOfExtraction { get; }

    /// <summary>HWC (true) or CHW (false, the default).</summary>
    public bool InterleavePixelColors { get; }

    /// <summary>Subtracted from each byte before scaling.</summary>
    public float OffsetImage { get; }

    /// <summary>Multiplies each byte after the offset.</summary>
    public float ScaleImage { get; }

    private protected override (DataViewType Type, IReadOnlyList<string>? KeyValues) OutputColumnType(DataViewSchema.Column input, int pair)
    {
        if (input.Type is not ImageDataViewType image) throw WrongType(input, "an image (from LoadImages)");
        if (image.Height == 0)
            throw new ArgumentOutOfRangeException("inputColumnName", input.Name,
                $"{StepName}'s input column '{input.Name}' holds images of varying size; append ResizeImages before ExtractPixels so every vector has the same length.");
        int[] dims = InterleavePixelColors ? [image.Height, image.Width, 3] : [3, image.Height, image.Width];
        return (new VectorDataViewType(NumberDataViewType.Single, dims), null);
    }

    private protected override Func<object?, object?> MakeMapper(DataViewSchema.Column input, int pair) =>
        value => value is Image image
            ? PixelExtractor.Extract(image, _options)
            : throw new InvalidOperationException($"{StepName}: a row of column '{input.Name}' holds no image.");

    internal override string Kind => "ImagePixelExtracting";

    internal override void SaveParameters(JsonObject parameters)
    {
        parameters["colorsToExtract"] = ColorsToExtract.ToString();
        parameters["orderOfExtraction"] = OrderOfExtraction.ToString();
        parameters["interleavePixelColors"] = InterleavePixelColors;
        parameters["offsetImage"] = OffsetImage;
        parameters["scaleImage"] = ScaleImage;
    }
}
