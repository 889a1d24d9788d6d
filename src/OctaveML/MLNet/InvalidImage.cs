namespace OctaveML;

/// <summary>An image the trainer could not use, and why.</summary>
/// <param name="Path">The image file (as resolved for the check), or null when the data has no path column.</param>
/// <param name="Row">The row of the data view (0-based).</param>
/// <param name="Reason">What is wrong: not found, not an image, truncated, or the error the pipeline raised.</param>
/// <param name="Data">"the training data" or "the ValidationSet".</param>
public sealed record InvalidImage(string? Path, long Row, string Reason, string Data)
{
    /// <inheritdoc/>
    public override string ToString() => Path is null ? $"row {Row} of {Data}: {Reason}" : $"{Path} (row {Row} of {Data}): {Reason}";
}
