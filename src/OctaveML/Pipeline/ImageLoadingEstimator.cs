using System.Text.Json.Nodes;
using OctaveML.Imaging;

namespace OctaveML.Pipeline;

/// <summary>Loads images from the paths in text columns (ML.NET's <c>LoadImages</c> / <c>LoadRawImageBytes</c>).</summary>
public sealed class ImageLoadingEstimator : TrivialEstimator<ImageLoadingTransformer>
{
    internal ImageLoadingEstimator(ImageLoadingTransformer transformer) : base(transformer) { }
}

/// <summary>
/// Reads the file named in each row (relative to <see cref="ImageFolder"/> when set) and decodes it
/// (PNG, JPEG, BMP, PGM/PPM; 8-bit grayscale or RGB) into an <see cref="Image"/>, or, for
/// LoadRawImageBytes, keeps the file's bytes (byte[]). Files are read as rows are reached; a
/// missing or damaged file fails the read with an exception naming it.
/// </summary>
public sealed class ImageLoadingTransformer : OneToOneTransformerBase
{
    internal ImageLoadingTransformer(string? imageFolder, bool rawBytes, (string Output, string Input)[] columns) : base(columns)
    {
        ImageFolder = imageFolder; RawBytes = rawBytes;
    }

    /// <summary>The folder relative paths are taken from (null: paths are used as they are).</summary>
    public string? ImageFolder { get; }

    /// <summary>True for LoadRawImageBytes (byte[] output), false for LoadImages (<see cref="Image"/> output).</summary>
    public bool RawBytes { get; }

    private protected override (DataViewType Type, IReadOnlyList<string>? KeyValues) OutputColumnType(DataViewSchema.Column input, int pair)
    {
        if (input.Type is not TextDataViewType) throw WrongType(input, "text (an image file path)");
        return (RawBytes ? new VectorDataViewType(NumberDataViewType.Byte) : new ImageDataViewType(), null);
    }

    private protected override Func<object?, object?> MakeMapper(DataViewSchema.Column input, int pair) => value =>
    {
        if (value is not string { Length: > 0 } path)
            throw new InvalidOperationException($"{StepName}: a row of column '{input.Name}' has no image path.");
        string full = ImageFolder is null ? path : Path.Combine(ImageFolder, path);
        return RawBytes ? File.ReadAllBytes(full) : ImageDecoder.Decode(full);
    };

    internal override string Kind => "ImageLoading";

    internal override void SaveParameters(JsonObject parameters)
    {
        parameters["imageFolder"] = ImageFolder;
        parameters["rawBytes"] = RawBytes;
    }
}
