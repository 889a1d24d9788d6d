using System.Buffers.Binary;
using System.IO.Compression;
using OctaveML.Kernels;

namespace OctaveML.Imaging;

/// <summary>
/// Writes 8-bit grayscale or RGB PNGs (non-interlaced). Each row takes the filter with the smallest
/// sum of absolute filtered bytes (libpng's heuristic); the data is deflated with the runtime's
/// <see cref="ZLibStream"/>.
/// </summary>
public static class PngEncoder
{
    /// <summary>Encodes <paramref name="image"/> as a PNG file's bytes.</summary>
    public static byte[] Encode(Image image, CompressionLevel level = CompressionLevel.Optimal)
    {
        ArgumentNullException.ThrowIfNull(image);
        int bpp = image.Channels;
        int rowBytes = image.Width * bpp;
        var filtered = new byte[(long)image.Height * (rowBytes + 1)];
        var zeros = new byte[rowBytes];
        var candidate = new byte[rowBytes];
        for (int y = 0; y < image.Height; y++)
        {
            ReadOnlySpan<byte> row = image.Pixels.AsSpan(y * rowBytes, rowBytes);
            ReadOnlySpan<byte> prior = y == 0 ? zeros : image.Pixels.AsSpan((y - 1) * rowBytes, rowBytes);
            Span<byte> dst = filtered.AsSpan(y * (rowBytes + 1) + 1, rowBytes);
            long best = long.MaxValue;
            for (int f = PngFilters.None; f <= PngFilters.Paeth; f++)
            {
                PngFilters.Filter(f, row, prior, bpp, candidate);
                long cost = 0;
                foreach (byte b in candidate) cost += b < 128 ? b : 256 - b;
                if (cost < best)
                {
                    best = cost;
                    candidate.CopyTo(dst);
                    filtered[y * (rowBytes + 1)] = (byte)f;
                }
            }
        }

        using var compressed = new MemoryStream();
        using (var z = new ZLibStream(compressed, level, leaveOpen: true)) z.Write(filtered);

        using var file = new MemoryStream();
        file.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        Span<byte> ihdr = stackalloc byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, image.Width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr[4..], image.Height);
        ihdr[8] = 8;                                   // bit depth
        ihdr[9] = (byte)(image.Channels == 1 ? 0 : 2); // gray or RGB
        ihdr[10] = ihdr[11] = ihdr[12] = 0;            // deflate, adaptive filters, no interlace
        WriteChunk(file, "IHDR"u8, ihdr);
        WriteChunk(file, "IDAT"u8, compressed.GetBuffer().AsSpan(0, (int)compressed.Length));
        WriteChunk(file, "IEND"u8, []);
        return file.ToArray();
    }

    /// <summary>Encodes <paramref name="image"/> and writes it to <paramref name="path"/>.</summary>
    public static void Save(Image image, string path, CompressionLevel level = CompressionLevel.Optimal)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        File.WriteAllBytes(path, Encode(image, level));
    }

    private static void WriteChunk(Stream s, ReadOnlySpan<byte> type, ReadOnlySpan<byte> body)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, body.Length);
        s.Write(word);
        s.Write(type);
        s.Write(body);
        BinaryPrimitives.WriteUInt32BigEndian(word, Crc32.Append(Crc32.Compute(type), body));
        s.Write(word);
    }
}
