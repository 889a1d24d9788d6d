namespace OctaveML.Interop;

/// <summary>
/// A torch.save file that cannot be read as a state dict: truncated or corrupted, not a torch.save
/// file, a pickled object other than a state dict (a whole model, a TorchScript module), or a dtype
/// the reader does not convert. The message names the file and the reason; when it is thrown,
/// nothing of the file has been returned.
/// </summary>
public sealed class PyTorchFormatException : Exception
{
    /// <summary>A problem with <paramref name="fileName"/>.</summary>
    public PyTorchFormatException(string fileName, string reason, Exception? inner = null)
        : base($"{fileName}: {reason}", inner)
    {
        FileName = fileName; Reason = reason;
    }

    /// <summary>The file.</summary>
    public string FileName { get; }

    /// <summary>What is wrong, without the file name.</summary>
    public string Reason { get; }
}
