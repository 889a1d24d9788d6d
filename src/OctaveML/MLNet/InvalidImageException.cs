namespace OctaveML;

/// <summary>
/// The data holds images the trainer cannot use. <see cref="Images"/> lists each with its reason (the
/// message shows the first 20). Set <see cref="OctaveTrainerOptions.InvalidImages"/> to
/// <see cref="InvalidImageHandling.Skip"/> to train on the other rows instead.
/// </summary>
public sealed class InvalidImageException : Exception
{
    private const int Shown = 20;

    /// <summary>Every invalid image found.</summary>
    public InvalidImageException(IReadOnlyList<InvalidImage> images, Exception? innerException = null)
        : base(Format(images), innerException)
    {
        Images = images;
    }

    /// <summary>Every invalid image found, in row order.</summary>
    public IReadOnlyList<InvalidImage> Images { get; }

    /// <summary>The first invalid image's file (null when the data has no path column).</summary>
    public string? FileName => Images.Count > 0 ? Images[0].Path : null;

    private static string Format(IReadOnlyList<InvalidImage> images)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (images.Count == 0) throw new ArgumentException("an InvalidImageException needs at least one image.", nameof(images));
        var lines = images.Take(Shown).Select(i => "  " + i);
        string more = images.Count > Shown ? $"{Environment.NewLine}  ... and {images.Count - Shown} more (see Images)" : "";
        string what = images.Count == 1 ? "an image the trainer cannot use" : $"{images.Count} images the trainer cannot use";
        return $"The data holds {what} (set Options.InvalidImages = InvalidImageHandling.Skip to train on the others):"
            + Environment.NewLine + string.Join(Environment.NewLine, lines) + more;
    }
}
