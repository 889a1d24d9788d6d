namespace OctaveML.Pipeline;

/// <summary>
/// A model file that cannot be loaded: not a zip, not an OctaveML model, a newer format version, a
/// damaged entry (checksum mismatch) or an unknown step. The message names the file and the reason.
/// </summary>
public sealed class ModelFormatException : Exception
{
    /// <summary>A problem with <paramref name="fileName"/>.</summary>
    public ModelFormatException(string fileName, string reason, Exception? inner = null)
        : base($"{fileName}: {reason}", inner)
    {
        FileName = fileName; Reason = reason;
    }

    /// <summary>The model file (or "(stream)" when loaded from a stream).</summary>
    public string FileName { get; }

    /// <summary>What is wrong, without the file name.</summary>
    public string Reason { get; }
}
