namespace OctaveML.Data;

/// <summary>
/// Reads CIFAR-10 binary batches (<c>data_batch_1.bin</c> .. <c>data_batch_5.bin</c>,
/// <c>test_batch.bin</c>): records of 1 label byte followed by 3,072 pixel bytes, the 32x32 red
/// plane, then green, then blue (planar, row-major), with no header. Malformed files raise a
/// <see cref="DatasetFormatException"/> naming the file, the byte offset and the expectation.
/// </summary>
public static class CifarReader
{
    /// <summary>Image side in pixels.</summary>
    public const int Side = 32;
    /// <summary>Pixel bytes in one record (3 x 32 x 32).</summary>
    public const int ImageBytes = 3 * Side * Side;
    /// <summary>Bytes in one record (label + pixels).</summary>
    public const int RecordBytes = 1 + ImageBytes;

    /// <summary>
    /// Reads one batch file: its planar pixels (count x 3072 bytes) and labels, each label checked
    /// to be below <paramref name="classCount"/>.
    /// </summary>
    public static (byte[] Pixels, int[] Labels) ReadBatch(string path, int classCount = 10)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (classCount is < 1 or > 256) throw new ArgumentOutOfRangeException(nameof(classCount), classCount, "classCount must be in [1, 256].");
        byte[] bytes = File.ReadAllBytes(path);
        if (bytes.Length == 0)
            throw new DatasetFormatException(path, 0, $"file is empty; expected records of {RecordBytes} bytes (1 label + 3x32x32 pixels)");
        long whole = bytes.Length / RecordBytes;
        int rest = bytes.Length % RecordBytes;
        if (rest != 0)
            throw new DatasetFormatException(path, bytes.Length,
                $"file ends {rest} bytes into record {whole}; expected a multiple of {RecordBytes} bytes (1 label + 3x32x32 pixels a record), {(whole + 1) * RecordBytes} for {whole + 1} records");
        int count = (int)whole;
        var pixels = new byte[(long)count * ImageBytes];
        var labels = new int[count];
        for (int i = 0; i < count; i++)
        {
            long at = (long)i * RecordBytes;
            byte label = bytes[at];
            if (label >= classCount)
                throw new DatasetFormatException(path, at, $"label {label} of record {i}; expected 0 to {classCount - 1} ({classCount} classes)");
            labels[i] = label;
            Buffer.BlockCopy(bytes, (int)at + 1, pixels, i * ImageBytes, ImageBytes);
        }
        return (pixels, labels);
    }

    /// <summary>
    /// Class names from a <c>batches.meta.txt</c> (one name a line; blank lines ignored), or null
    /// when the file does not exist.
    /// </summary>
    public static string[]? ReadClassNames(string metaPath)
    {
        if (!File.Exists(metaPath)) return null;
        var names = File.ReadAllLines(metaPath).Select(l => l.Trim()).Where(l => l.Length > 0).ToArray();
        if (names.Length == 0)
            throw DatasetFormatException.AtLine(metaPath, 1, "no class names; expected one class name a line");
        if (names.Length > 256)
            throw DatasetFormatException.AtLine(metaPath, 257, $"{names.Length} class names; expected at most 256 (labels are bytes)");
        return names;
    }
}
