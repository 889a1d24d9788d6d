using OctaveML.Imaging;
using static OctaveML.Pipeline.ImagePixelExtractingEstimator;

namespace OctaveML.Pipeline;

/// <summary>
/// The transforms (ML.NET's <c>TransformsCatalog</c> with its image extensions): image loading,
/// resizing and pixel extraction here, key mapping under <see cref="Conversion"/>. When
/// inputColumnName is null it is the output column's name (the column is replaced).
/// </summary>
public sealed class TransformsCatalog
{
    internal TransformsCatalog(OctaveContext ctx) => Conversion = new ConversionTransforms();

    /// <summary>Type and key conversions.</summary>
    public ConversionTransforms Conversion { get; }

    /// <summary>Key conversions (ML.NET's <c>TransformsCatalog.ConversionTransforms</c>).</summary>
    public sealed class ConversionTransforms
    {
        internal ConversionTransforms() { }

        /// <summary>
        /// Maps the values of <paramref name="inputColumnName"/> (text, numbers or booleans) to keys
        /// 1..N learnt from the data, numbered by <paramref name="keyOrdinality"/> (by first occurrence
        /// by default, as ML.NET), at most <paramref name="maximumNumberOfKeys"/> of them.
        /// </summary>
        public ValueToKeyMappingEstimator MapValueToKey(string outputColumnName, string? inputColumnName = null,
            int maximumNumberOfKeys = 1_000_000, ValueToKeyMappingEstimator.KeyOrdinality keyOrdinality = ValueToKeyMappingEstimator.KeyOrdinality.ByOccurrence) =>
            new([Pair(outputColumnName, inputColumnName)], maximumNumberOfKeys, keyOrdinality);

        /// <summary>Maps several columns to keys.</summary>
        public ValueToKeyMappingEstimator MapValueToKey(InputOutputColumnPair[] columns,
            int maximumNumberOfKeys = 1_000_000, ValueToKeyMappingEstimator.KeyOrdinality keyOrdinality = ValueToKeyMappingEstimator.KeyOrdinality.ByOccurrence) =>
            new(Pairs(columns), maximumNumberOfKeys, keyOrdinality);

        /// <summary>Maps the keys of <paramref name="inputColumnName"/> back to their text values.</summary>
        public KeyToValueMappingEstimator MapKeyToValue(string outputColumnName, string? inputColumnName = null) =>
            new([Pair(outputColumnName, inputColumnName)]);

        /// <summary>Maps several key columns back to their values.</summary>
        public KeyToValueMappingEstimator MapKeyToValue(InputOutputColumnPair[] columns) => new(Pairs(columns));
    }

    /// <summary>
    /// Loads the images whose paths are in <paramref name="inputColumnName"/>, relative to
    /// <paramref name="imageFolder"/> (null: as they are), into an image column.
    /// </summary>
    public ImageLoadingEstimator LoadImages(string outputColumnName, string? imageFolder, string? inputColumnName = null) =>
        new(new ImageLoadingTransformer(imageFolder, rawBytes: false, [Pair(outputColumnName, inputColumnName)]));

    /// <summary>Loads the bytes of the image files named in <paramref name="inputColumnName"/> (a byte[] column).</summary>
    public ImageLoadingEstimator LoadRawImageBytes(string outputColumnName, string? imageFolder, string? inputColumnName = null) =>
        new(new ImageLoadingTransformer(imageFolder, rawBytes: true, [Pair(outputColumnName, inputColumnName)]));

    /// <summary>
    /// Resizes the images of <paramref name="inputColumnName"/> to <paramref name="imageWidth"/> x
    /// <paramref name="imageHeight"/> (ML.NET's defaults: IsoCrop, centred).
    /// </summary>
    public ImageResizingEstimator ResizeImages(string outputColumnName, int imageWidth, int imageHeight, string? inputColumnName = null,
        ResizingKind resizing = ResizingKind.IsoCrop, Anchor cropAnchor = Anchor.Center) =>
        new(new ImageResizingTransformer(imageWidth, imageHeight, resizing, cropAnchor, [Pair(outputColumnName, inputColumnName)]));

    /// <summary>
    /// Extracts the pixels of fixed-size images as float vectors, (byte - <paramref name="offsetImage"/>) *
    /// <paramref name="scaleImage"/>, planar CHW unless <paramref name="interleavePixelColors"/> (ML.NET's defaults).
    /// </summary>
    public ImagePixelExtractingEstimator ExtractPixels(string outputColumnName, string? inputColumnName = null,
        ColorBits colorsToExtract = ColorBits.Rgb, ColorsOrder orderOfExtraction = ColorsOrder.ARGB,
        bool interleavePixelColors = false, float offsetImage = 0f, float scaleImage = 1f) =>
        new(new ImagePixelExtractingTransformer(colorsToExtract, orderOfExtraction, interleavePixelColors, offsetImage, scaleImage,
            [Pair(outputColumnName, inputColumnName)]));

    internal static (string Output, string Input) Pair(string outputColumnName, string? inputColumnName)
    {
        ArgumentException.ThrowIfNullOrEmpty(outputColumnName);
        if (inputColumnName is { Length: 0 }) throw new ArgumentException("inputColumnName must not be empty (null means the output column's name).", nameof(inputColumnName));
        return (outputColumnName, inputColumnName ?? outputColumnName);
    }

    internal static (string Output, string Input)[] Pairs(InputOutputColumnPair[] columns)
    {
        ArgumentNullException.ThrowIfNull(columns);
        if (columns.Length == 0) throw new ArgumentException("columns must not be empty.", nameof(columns));
        return columns.Select(c => Pair(c.OutputColumnName, c.InputColumnName)).ToArray();
    }
}

/// <summary>An output column and the input column it is made from (ML.NET's <c>InputOutputColumnPair</c>).</summary>
public sealed class InputOutputColumnPair(string outputColumnName, string? inputColumnName = null)
{
    /// <summary>The column written.</summary>
    public string OutputColumnName { get; } = outputColumnName;

    /// <summary>The column read (the output's name when null).</summary>
    public string? InputColumnName { get; } = inputColumnName;
}
