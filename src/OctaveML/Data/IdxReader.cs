using System.Buffers.Binary;
using System.IO.Compression;

namespace OctaveML.Data;

/// <summary>
/// Reads IDX files (the MNIST / Fashion-MNIST format): a 4-byte magic 0x00 0x00 type ndim, then
/// ndim big-endian uint32 dimensions, then the data. Only unsigned-byte data (type 0x08) is read:
/// labels are 1-D (magic 0x00000801), images 3-D (0x00000803). Files may be gzipped (sniffed by the
/// 1f 8b header, whatever the name) or plain. Every layout problem raises a
/// <see cref="DatasetFormatException"/> naming the file, the byte offset and the expectation.
/// </summary>
public static class IdxReader
{
    /// <summary>Magic number of an IDX label file (unsigned bytes, 1 dimension).</summary>
    public const int LabelsMagic = 0x00000801;
    /// <summary>Magic number of an IDX image file (unsigned bytes, 3 dimensions).</summary>
    public const int ImagesMagic = 0x00000803;

    /// <summary>An IDX image file's content: <see cref="Count"/> images of <see cref="Rows"/> x <see cref="Columns"/> bytes, row-major.</summary>
    public sealed record Images(int Count, int Rows, int Columns, byte[] Pixels);

    /// <summary>Reads a 3-D unsigned-byte IDX file (magic 0x00000803).</summary>
    public static Images ReadImages(string path)
    {
        var (dims, data, _) = Read(path, ImagesMagic, 3);
        return new Images(dims[0], dims[1], dims[2], data);
    }

    /// <summary>Reads a 1-D unsigned-byte IDX file (magic 0x00000801).</summary>
    public static byte[] ReadLabels(string path) => Read(path, LabelsMagic, 1).Data;

    /// <summary>The whole file, decompressed when it starts with the gzip signature 1f 8b.</summary>
    public static byte[] ReadAllBytesMaybeGzip(string path) => ReadAllBytesMaybeGzip(path, out _);

    private static byte[] ReadAllBytesMaybeGzip(string path, out bool gzipped)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        byte[] raw = File.ReadAllBytes(path);
        gzipped = raw.Length >= 2 && raw[0] == 0x1f && raw[1] == 0x8b;
        if (!gzipped) return raw;
        try
        {
            using var gz = new GZipStream(new MemoryStream(raw), CompressionMode.Decompress);
            // The gzip trailer's ISIZE is the decompressed size mod 2^32: a size hint that saves the
            // growing and the final copy of a MemoryStream (47 MB for Fashion-MNIST's training images).
            uint hint = BinaryPrimitives.ReadUInt32LittleEndian(raw.AsSpan(raw.Length - 4));
            // Deflate cannot expand more than 1032:1, so a larger hint is a damaged trailer: do not trust it.
            if (raw.Length >= 18 && hint <= Array.MaxLength && hint <= raw.Length * 1032L)
            {
                var exact = GC.AllocateUninitializedArray<byte>((int)hint);
                int got = gz.ReadAtLeast(exact, exact.Length, throwOnEndOfStream: false);
                int next = got == exact.Length ? gz.ReadByte() : -1;
                if (got == exact.Length && next < 0) return exact;
                // A truncated stream, or a multi-member file whose trailer only sizes the last member: go on generally.
                using var rest = new MemoryStream(got + 65536);
                rest.Write(exact, 0, got);
                if (next >= 0) rest.WriteByte((byte)next);
                gz.CopyTo(rest);
                return rest.ToArray();
            }
            using var ms = new MemoryStream(raw.Length * 2);
            gz.CopyTo(ms);
            return ms.ToArray();
        }
        catch (InvalidDataException e)
        {
            throw new DatasetFormatException(path, 0, $"the gzip stream is corrupt or truncated ({e.Message}); expected a complete gzip file", e);
        }
    }

    /// <summary>Reads and validates one IDX file; returns its dimensions and its data (without the header).</summary>
    internal static (int[] Dims, byte[] Data, int HeaderSize) Read(string path, int expectedMagic, int expectedRank)
    {
        byte[] bytes = ReadAllBytesMaybeGzip(path, out bool gzipped);
        try
        {
            return Parse(path, bytes, expectedMagic, expectedRank);
        }
        catch (DatasetFormatException e) when (gzipped)
        {
            // Offsets count decompressed bytes; say so, since they do not match the file on disk.
            throw new DatasetFormatException(e.FileName, e.Offset, e.Reason + " (offsets count the gzip-decompressed data)");
        }
    }

    private static (int[] Dims, byte[] Data, int HeaderSize) Parse(string path, byte[] bytes, int expectedMagic, int expectedRank)
    {
        string kind = expectedRank == 1 ? "labels" : "images";
        if (bytes.Length < 4)
            throw new DatasetFormatException(path, bytes.Length, $"file ends after {bytes.Length} bytes; expected a 4-byte IDX magic number");
        int magic = BinaryPrimitives.ReadInt32BigEndian(bytes);
        if (magic != expectedMagic)
            throw new DatasetFormatException(path, 0, $"magic number 0x{magic:X8}; expected 0x{expectedMagic:X8} (IDX unsigned-byte {kind}, {expectedRank} dimension{(expectedRank > 1 ? "s" : "")})");
        int header = 4 + 4 * expectedRank;
        if (bytes.Length < header)
            throw new DatasetFormatException(path, bytes.Length, $"file ends inside the header; expected {expectedRank} big-endian dimension{(expectedRank > 1 ? "s" : "")} ({header} header bytes)");
        var dims = new int[expectedRank];
        long size = 1;
        for (int d = 0; d < expectedRank; d++)
        {
            uint v = BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(4 + 4 * d));
            // A count of 0 is a valid (empty) file; image rows and columns must be positive.
            bool bad = v > int.MaxValue || (d > 0 && v == 0);
            if (bad)
                throw new DatasetFormatException(path, 4 + 4 * d, $"dimension {d} is {v}; expected {(d == 0 ? "0" : "1")} to {int.MaxValue}");
            dims[d] = (int)v;
            size *= v;
            if (size > Array.MaxLength)
                throw new DatasetFormatException(path, 4 + 4 * d, $"dimensions [{string.Join(", ", dims[..(d + 1)])}] hold more than {Array.MaxLength} bytes; expected a size that fits in memory");
        }
        long available = bytes.Length - header;
        if (available < size)
        {
            // Name the first item that is cut short, so the message points at the damage.
            long per = size / Math.Max(1, dims[0]);
            long item = per == 0 ? 0 : available / per;
            throw new DatasetFormatException(path, bytes.Length,
                $"file ends after {bytes.Length} bytes, inside {kind[..^1]} {item} of {dims[0]}; expected {header + size} bytes ({header}-byte header + {string.Join(" x ", dims)} data)");
        }
        if (available > size)
            throw new DatasetFormatException(path, header + size,
                $"{available - size} bytes follow the data; expected the file to end at byte {header + size} ({string.Join(" x ", dims)} data)");
        return (dims, bytes.AsSpan(header).ToArray(), header);
    }
}
