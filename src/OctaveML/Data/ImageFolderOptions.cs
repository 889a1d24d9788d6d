using OctaveML.Imaging;

namespace OctaveML.Data;

/// <summary>How an <see cref="ImageFolderDataset"/> finds, decodes, resizes and checks its images.</summary>
public sealed record ImageFolderOptions
{
    /// <summary>Output width in pixels (default 224).</summary>
    public int Width { get; init; } = 224;

    /// <summary>Output height in pixels (default 224).</summary>
    public int Height { get; init; } = 224;

    /// <summary>How images are fitted to Width x Height (default IsoCrop, as ML.NET's ResizeImages).</summary>
    public ResizingKind Resizing { get; init; } = ResizingKind.IsoCrop;

    /// <summary>Which part IsoCrop keeps (default Center).</summary>
    public Anchor Anchor { get; init; } = Anchor.Center;

    /// <summary>Decode to one gray channel instead of RGB (default false: 3 channels).</summary>
    public bool Grayscale { get; init; }

    /// <summary>Decoder options (EXIF orientation, pixel limit); <see cref="Grayscale"/> overrides its Grayscale.</summary>
    public DecodeOptions? Decode { get; init; }

    /// <summary>
    /// Decode every file once while loading (in parallel), so that every bad file is known up front
    /// (default true). When false, loading only checks that the files exist, and a file that fails
    /// to decode later throws <see cref="ImageFormatException"/> from GetImage (through the loader).
    /// </summary>
    public bool ValidateOnLoad { get; init; } = true;

    /// <summary>
    /// Leave bad files out instead of failing (default false: loading throws
    /// <see cref="BadImageFilesException"/> listing them all). Skipped files are reported through
    /// <see cref="OnSkipped"/> and kept in <see cref="ImageFolderDataset.SkippedFiles"/>.
    /// </summary>
    public bool SkipBadFiles { get; init; }

    /// <summary>Told about each skipped file, in dataset order, when <see cref="SkipBadFiles"/> is set.</summary>
    public IProgress<BadImageFile>? OnSkipped { get; init; }

    /// <summary>
    /// Memory for a cache of decoded-and-resized images, as bytes (1 byte a value, 4x smaller than
    /// floats); 0 (default) disables it. Images enter the cache when first decoded (the validation
    /// pass fills it) until the budget is used up; nothing is evicted.
    /// </summary>
    public long CacheBytes { get; init; }

    /// <summary>Threads for the validation pass (default: all processors).</summary>
    public int Workers { get; init; } = Environment.ProcessorCount;

    /// <summary>
    /// With a manifest: the class names, in label order; every label must be one of them. Null
    /// (default) derives them (see <see cref="ImageManifest.MapLabels"/>). Ignored for folders.
    /// </summary>
    public IReadOnlyList<string>? ClassNames { get; init; }

    /// <summary>File extensions taken as images in a folder (case-insensitive).</summary>
    public static IReadOnlyList<string> ImageExtensions { get; } = [".jpg", ".jpeg", ".png", ".bmp", ".pgm", ".ppm"];
}
