namespace OctaveML.Data;

/// <summary>An image file that could not be used, and why.</summary>
/// <param name="Path">The file.</param>
/// <param name="Reason">What is wrong (missing, not decodable, ...).</param>
/// <param name="ManifestLine">The manifest line that named it (1-based), or 0 when listed from a folder.</param>
public sealed record BadImageFile(string Path, string Reason, int ManifestLine = 0)
{
    /// <inheritdoc/>
    public override string ToString() => ManifestLine > 0 ? $"{Path} (manifest line {ManifestLine}): {Reason}" : $"{Path}: {Reason}";
}

/// <summary>
/// Loading an image dataset found files it cannot use; <see cref="Files"/> lists every one with its
/// reason (the message shows the first 50). Set <see cref="ImageFolderOptions.SkipBadFiles"/> to
/// load the rest instead, each skipped file being reported.
/// </summary>
public sealed class BadImageFilesException : Exception
{
    /// <summary>Every bad file of <paramref name="source"/>.</summary>
    public BadImageFilesException(string source, IReadOnlyList<BadImageFile> files)
        : base(Format(source, files))
    {
        DatasetPath = source;
        Files = files;
    }

    /// <summary>The folder or manifest being loaded.</summary>
    public string DatasetPath { get; }

    /// <summary>Every bad file, in dataset order.</summary>
    public IReadOnlyList<BadImageFile> Files { get; }

    private static string Format(string source, IReadOnlyList<BadImageFile> files)
    {
        const int shown = 50;
        var lines = files.Take(shown).Select(f => "  " + f);
        string more = files.Count > shown ? $"{Environment.NewLine}  ... and {files.Count - shown} more (see Files)" : "";
        return $"{source}: {files.Count} bad image file{(files.Count == 1 ? "" : "s")} (set SkipBadFiles to load the others):{Environment.NewLine}{string.Join(Environment.NewLine, lines)}{more}";
    }
}
