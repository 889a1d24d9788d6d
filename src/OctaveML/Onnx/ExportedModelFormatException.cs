namespace OctaveML.Onnx;

/// <summary>
/// A model file, stream or transformer that holds no readable OctaveML export: not a zip, no ONNX model
/// written by OctaveML, several of them, or a damaged one. The message names the source and the reason.
/// </summary>
public sealed class ExportedModelFormatException : FormatException
{
    /// <summary>A problem with <paramref name="source"/>.</summary>
    public ExportedModelFormatException(string source, string reason, Exception? inner = null)
        : base($"{source}: {reason}", inner)
    {
        ModelSource = source; Reason = reason;
    }

    /// <summary>The file, "(stream)" or "(transformer)".</summary>
    public string ModelSource { get; }

    /// <summary>What is wrong, without the source.</summary>
    public string Reason { get; }
}
