namespace OctaveML.Data;

/// <summary>
/// A dataset file (IDX, CIFAR binary, manifest) that does not have the expected layout. The
/// message names the file, the byte offset (or line) where the problem is, and what was expected.
/// </summary>
public sealed class DatasetFormatException : Exception
{
    /// <summary>A problem at byte <paramref name="offset"/> of <paramref name="fileName"/>.</summary>
    public DatasetFormatException(string fileName, long offset, string reason, Exception? inner = null)
        : base($"{fileName}: at byte {offset}: {reason}", inner)
    {
        FileName = fileName; Offset = offset; Line = 0; Reason = reason;
    }

    private DatasetFormatException(string fileName, int line, string reason)
        : base($"{fileName}: line {line}: {reason}")
    {
        FileName = fileName; Offset = -1; Line = line; Reason = reason;
    }

    /// <summary>A problem on line <paramref name="line"/> (1-based) of a text file.</summary>
    public static DatasetFormatException AtLine(string fileName, int line, string reason) => new(fileName, line, reason);

    /// <summary>The file.</summary>
    public string FileName { get; }

    /// <summary>
    /// Byte offset of the problem, -1 for text files (see <see cref="Line"/>). For gzipped files it is
    /// the offset in the decompressed data.
    /// </summary>
    public long Offset { get; }

    /// <summary>1-based line of the problem in a text file; 0 for binary files.</summary>
    public int Line { get; }

    /// <summary>What is wrong and what was expected, without the file name.</summary>
    public string Reason { get; }
}
