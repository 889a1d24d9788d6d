namespace OctaveML.Training;

/// <summary>
/// A checkpoint file that cannot be used: truncated, corrupted (checksum mismatch), not a checkpoint,
/// or from an incompatible format version. The message names the file and the reason.
/// </summary>
public sealed class CheckpointFormatException : Exception
{
    /// <summary>A problem with <paramref name="fileName"/>.</summary>
    public CheckpointFormatException(string fileName, string reason, Exception? inner = null)
        : base($"{fileName}: {reason}", inner)
    {
        FileName = fileName; Reason = reason;
    }

    /// <summary>The file.</summary>
    public string FileName { get; }

    /// <summary>What is wrong, without the file name.</summary>
    public string Reason { get; }
}
