using System.Text.Json.Nodes;
using OctaveML.Imaging;

namespace OctaveML.Pipeline;

/// <summary>Resizes image columns to a fixed size (ML.NET's <c>ResizeImages</c>).</summary>
public sealed class ImageResizingEstimator : TrivialEstimator<ImageResizingTransformer>
{
    internal ImageResizingEstimator(ImageResizingTransformer transformer) : base(transformer) { }
}

/// <summary>
/// Resizes each image to <see cref="ImageWidth"/> x <see cref="ImageHeight"/> with ML.NET's geometry
/// (<see cref="ResizingKind"/>: IsoCrop by default, Fill, IsoPad; <see cref="Anchor"/> for the crop)
/// and Pillow's antialiased bilinear resampling (see <see cref="ImageResizer"/>).
/// </summary>
public sealed class ImageResizingTransformer : OneToOneTransformerBase
{
    internal ImageResizingTransformer(int imageWidth, int imageHeight, ResizingKind resizing, Anchor cropAnchor, (string Output, string Input)[] columns)
        : base(columns)
    {
        if (imageWidth <= 0) throw new ArgumentOutOfRangeException(nameof(imageWidth), imageWidth, "imageWidth must be positive.");
        if (imageHeight <= 0) throw new ArgumentOutOfRangeException(nameof(imageHeight), imageHeight, "imageHeight must be positive.");
        if (!Enum.IsDefined(resizing)) throw new ArgumentOutOfRangeException(nameof(resizing), resizing, "resizing must be Fill, IsoPad or IsoCrop.");
        ImageWidth = imageWidth; ImageHeight = imageHeight; Resizing = resizing; CropAnchor = cropAnchor;
    }

    /// <summary>Output width.</summary>
    public int ImageWidth { get; }

    /// <summary>Output height.</summary>
    public int ImageHeight { get; }

    /// <summary>How the aspect ratio is handled.</summary>
    public ResizingKind Resizing { get; }

    /// <summary>Which part IsoCrop keeps.</summary>
    public Anchor CropAnchor { get; }

    private protected override (DataViewType Type, IReadOnlyList<string>? KeyValues) OutputColumnType(DataViewSchema.Column input, int pair)
    {
        if (input.Type is not ImageDataViewType) throw WrongType(input, "an image (from LoadImages)");
        return (new ImageDataViewType(ImageHeight, ImageWidth), null);
    }

    private protected override Func<object?, object?> MakeMapper(DataViewSchema.Column input, int pair) =>
        value => value is Image image
            ? ImageResizer.Resize(image, ImageWidth, ImageHeight, Resizing, CropAnchor)
            : throw new InvalidOperationException($"{StepName}: a row of column '{input.Name}' holds no image.");

    internal override string Kind => "ImageResizing";

    internal override void SaveParameters(JsonObject parameters)
    {
        parameters["imageWidth"] = ImageWidth;
        parameters["imageHeight"] = ImageHeight;
        parameters["resizing"] = Resizing.ToString();
        parameters["cropAnchor"] = CropAnchor.ToString();
    }
}
