using OctaveML.Imaging;
using OctaveML.Threading;

namespace OctaveML.Data;

/// <summary>
/// Image files on disk as an <see cref="IImageDataset"/>: a folder per class (torchvision's
/// ImageFolder) or a CSV/TSV manifest (<see cref="ImageManifest"/>). Images are decoded lazily,
/// when <see cref="GetImage"/> asks (a <see cref="DataLoader"/> with Workers &gt; 1 decodes a
/// batch in parallel, ahead of training, its memory bounded by PrefetchBatches), resized to
/// Width x Height, and optionally cached as bytes within <see cref="ImageFolderOptions.CacheBytes"/>.
/// </summary>
/// <remarks>
/// Folder layout: <c>root/&lt;class&gt;/**/&lt;file&gt;</c>. Classes are the subfolders of root,
/// sorted with <see cref="StringComparer.Ordinal"/> (label = position); within a class, files are
/// found recursively and sorted by relative path, ordinally. Files with an extension in
/// <see cref="ImageFolderOptions.ImageExtensions"/> (any case) are images; other files, and files
/// directly in root, are not images of any class and are listed in <see cref="IgnoredFiles"/>.
/// A class folder without images is an error (as in torchvision). Bad files (missing, undecodable)
/// make loading throw <see cref="BadImageFilesException"/> listing all of them, unless
/// <see cref="ImageFolderOptions.SkipBadFiles"/> is set: then each is reported and left out.
/// </remarks>
public sealed class ImageFolderDataset : IImageDataset
{
    private readonly string[] _files;
    private readonly int[] _labels;
    private readonly string[] _classNames;
    private readonly ImageFolderOptions _options;
    private readonly DecodeOptions _decode;
    private readonly byte[]?[] _cache;
    private long _cacheUsed;

    private ImageFolderDataset(string source, string[] files, int[] labels, string[] classNames, ImageFolderOptions options,
                               IReadOnlyList<BadImageFile> skipped, IReadOnlyList<string> ignored)
    {
        Source = source; _files = files; _labels = labels; _classNames = classNames; _options = options;
        SkippedFiles = skipped; IgnoredFiles = ignored;
        _decode = (options.Decode ?? DecodeOptions.Default) with { Grayscale = options.Grayscale };
        _cache = new byte[]?[files.Length];
    }

    /// <summary>
    /// Loads a folder-per-class tree (see the remarks for the order and what counts as an image).
    /// </summary>
    public static ImageFolderDataset FromFolder(string root, ImageFolderOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        options = Check(options);
        string full = Path.GetFullPath(root);
        if (!Directory.Exists(full)) throw new DirectoryNotFoundException($"image folder {full} does not exist.");
        var classDirs = Directory.GetDirectories(full).Order(StringComparer.Ordinal).ToArray();
        if (classDirs.Length == 0)
            throw new ArgumentException($"{full} has no class subfolders; expected root/<class>/<image> (torchvision ImageFolder layout).", nameof(root));
        var ignored = Directory.GetFiles(full).Order(StringComparer.Ordinal).ToList();
        var files = new List<string>();
        var labels = new List<int>();
        var names = new string[classDirs.Length];
        for (int c = 0; c < classDirs.Length; c++)
        {
            names[c] = Path.GetFileName(classDirs[c]);
            var all = Directory.GetFiles(classDirs[c], "*", SearchOption.AllDirectories)
                .Select(f => (f, rel: Path.GetRelativePath(classDirs[c], f)))
                .OrderBy(t => t.rel, StringComparer.Ordinal).Select(t => t.f).ToArray();
            int before = files.Count;
            foreach (var f in all)
            {
                if (IsImage(f)) { files.Add(f); labels.Add(c); }
                else ignored.Add(f);
            }
            if (files.Count == before)
                throw new ArgumentException($"class folder {classDirs[c]} has no images ({string.Join(" ", ImageFolderOptions.ImageExtensions)}); remove it or add images.", nameof(root));
        }
        return Finish(full, files, labels, names, lines: null, options, ignored);
    }

    /// <summary>
    /// Loads the images a CSV/TSV manifest lists (see <see cref="ImageManifest"/> for the format and
    /// <see cref="ImageManifest.MapLabels"/> for the label order). A missing file is a bad file
    /// naming its manifest line.
    /// </summary>
    public static ImageFolderDataset FromManifest(string manifestPath, ImageFolderOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(manifestPath);
        options = Check(options);
        string full = Path.GetFullPath(manifestPath);
        var entries = ImageManifest.Read(full);
        if (entries.Count == 0) throw DatasetFormatException.AtLine(full, 1, "no rows; expected one path,label row per image");
        var (labels, names) = ImageManifest.MapLabels(full, entries, options.ClassNames);
        return Finish(full, entries.Select(e => e.Path).ToList(), labels.ToList(), names, entries.Select(e => e.Line).ToArray(), options, []);
    }

    private static ImageFolderOptions Check(ImageFolderOptions? options)
    {
        options ??= new ImageFolderOptions();
        if (options.Width < 1) throw new ArgumentOutOfRangeException(nameof(options), options.Width, "options.Width must be at least 1.");
        if (options.Height < 1) throw new ArgumentOutOfRangeException(nameof(options), options.Height, "options.Height must be at least 1.");
        if (options.Workers < 1) throw new ArgumentOutOfRangeException(nameof(options), options.Workers, "options.Workers must be at least 1.");
        if (options.CacheBytes < 0) throw new ArgumentOutOfRangeException(nameof(options), options.CacheBytes, "options.CacheBytes must be 0 or more.");
        return options;
    }

    private static ImageFolderDataset Finish(string source, List<string> files, List<int> labels, string[] names, int[]? lines,
                                             ImageFolderOptions options, IReadOnlyList<string> ignored)
    {
        var ds = new ImageFolderDataset(source, files.ToArray(), labels.ToArray(), names, options, [], ignored);
        var reasons = new string?[files.Count];
        if (options.ValidateOnLoad)
            Parallelism.For(files.Count, i => reasons[i] = ds.TryDecode(i), options.Workers);
        else
            for (int i = 0; i < files.Count; i++)
                if (!File.Exists(files[i])) reasons[i] = "file not found";
        var bad = new List<BadImageFile>();
        for (int i = 0; i < files.Count; i++)
            if (reasons[i] is { } r) bad.Add(new BadImageFile(files[i], r, lines?[i] ?? 0));
        if (bad.Count == 0) return ds;
        if (!options.SkipBadFiles) throw new BadImageFilesException(source, bad);

        foreach (var b in bad) options.OnSkipped?.Report(b);
        var keep = Enumerable.Range(0, files.Count).Where(i => reasons[i] is null).ToArray();
        var kept = new ImageFolderDataset(source, keep.Select(i => files[i]).ToArray(), keep.Select(i => labels[i]).ToArray(),
                                          names, options, bad, ignored);
        // Carry over what the validation pass cached.
        for (int k = 0; k < keep.Length; k++) kept._cache[k] = ds._cache[keep[k]];
        kept._cacheUsed = ds._cacheUsed;
        return kept;
    }

    /// <summary>The folder or manifest loaded.</summary>
    public string Source { get; }

    /// <summary>The image files (full paths), in dataset order.</summary>
    public IReadOnlyList<string> Files => _files;

    /// <summary>Files left out because they were bad (only with SkipBadFiles).</summary>
    public IReadOnlyList<BadImageFile> SkippedFiles { get; }

    /// <summary>Files in a folder tree that are not images of any class (other extensions, files in root).</summary>
    public IReadOnlyList<string> IgnoredFiles { get; }

    /// <summary>Bytes of the decoded-image cache in use.</summary>
    public long CachedBytes => Interlocked.Read(ref _cacheUsed);

    /// <inheritdoc/>
    public int Count => _files.Length;
    /// <inheritdoc/>
    public int Channels => _options.Grayscale ? 1 : 3;
    /// <inheritdoc/>
    public int Height => _options.Height;
    /// <inheritdoc/>
    public int Width => _options.Width;
    /// <inheritdoc/>
    public IReadOnlyList<string> ClassNames => _classNames;

    /// <inheritdoc/>
    public int GetLabel(int index) => _labels[CheckIndex(index)];

    /// <summary>Image <paramref name="index"/> decoded and resized (interleaved bytes), from the cache when there.</summary>
    public Image LoadImage(int index)
    {
        CheckIndex(index);
        if (_cache[index] is { } cached) return new Image(Width, Height, Channels, cached);
        var img = ImageResizer.Resize(ImageDecoder.Decode(_files[index], _decode), Width, Height, _options.Resizing, _options.Anchor);
        if (img.Channels != Channels)
            throw new ImageFormatException(_files[index], $"decoded to {img.Channels} channels; expected {Channels}");
        AddToCache(index, img.Pixels);
        return img;
    }

    /// <inheritdoc/>
    public void GetImage(int index, Span<float> chw)
    {
        int plane = Width * Height, c = Channels;
        if (chw.Length != plane * c)
            throw new ArgumentException($"chw has {chw.Length} floats; an image needs {plane * c}.", nameof(chw));
        byte[] px = LoadImage(index).Pixels;
        // Interleaved HWC bytes to planar CHW floats / 255 (torchvision's ToTensor).
        for (int ch = 0; ch < c; ch++)
        {
            var dst = chw.Slice(ch * plane, plane);
            for (int i = 0; i < plane; i++) dst[i] = px[i * c + ch] / 255f;
        }
    }

    /// <summary>Null when image <paramref name="index"/> decodes, else why not.</summary>
    private string? TryDecode(int index)
    {
        try
        {
            LoadImage(index);
            return null;
        }
        catch (FileNotFoundException) { return "file not found"; }
        catch (DirectoryNotFoundException) { return "file not found (no such folder)"; }
        catch (ImageFormatException e) { return e.Reason; }
        catch (UnauthorizedAccessException e) { return "cannot be read: " + e.Message; }
        catch (IOException e) { return "cannot be read: " + e.Message; }
    }

    private void AddToCache(int index, byte[] pixels)
    {
        if (_options.CacheBytes == 0 || _cache[index] is not null) return;
        long after = Interlocked.Add(ref _cacheUsed, pixels.Length);
        if (after > _options.CacheBytes) { Interlocked.Add(ref _cacheUsed, -pixels.Length); return; }
        if (Interlocked.CompareExchange(ref _cache[index], pixels, null) is not null)
            Interlocked.Add(ref _cacheUsed, -pixels.Length); // another thread cached it first
    }

    private static bool IsImage(string path) =>
        ImageFolderOptions.ImageExtensions.Contains(Path.GetExtension(path), StringComparer.OrdinalIgnoreCase);

    private int CheckIndex(int index)
    {
        if ((uint)index >= (uint)_files.Length)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"index must be in [0, {_files.Length}).");
        return index;
    }
}
