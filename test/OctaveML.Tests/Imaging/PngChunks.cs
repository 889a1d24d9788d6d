using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace OctaveML.Tests.Imaging;

/// <summary>Builds and edits PNG files chunk by chunk for the bad-input and fuzz tests (with valid CRCs unless told).</summary>
internal static class PngChunks
{
    public static readonly byte[] Signature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    public static List<(string Type, byte[] Body)> Parse(byte[] png)
    {
        var list = new List<(string, byte[])>();
        int pos = 8;
        while (pos + 12 <= png.Length)
        {
            int len = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(pos));
            list.Add((Encoding.ASCII.GetString(png, pos + 4, 4), png.AsSpan(pos + 8, len).ToArray()));
            pos += 12 + len;
        }
        return list;
    }

    public static byte[] Build(IEnumerable<(string Type, byte[] Body)> chunks)
    {
        using var ms = new MemoryStream();
        ms.Write(Signature);
        foreach (var (type, body) in chunks) ms.Write(Chunk(type, body));
        return ms.ToArray();
    }

    public static byte[] Chunk(string type, byte[] body)
    {
        var c = new byte[12 + body.Length];
        BinaryPrimitives.WriteInt32BigEndian(c, body.Length);
        Encoding.ASCII.GetBytes(type).CopyTo(c, 4);
        body.CopyTo(c, 8);
        BinaryPrimitives.WriteUInt32BigEndian(c.AsSpan(8 + body.Length), Crc(c.AsSpan(4, 4 + body.Length)));
        return c;
    }

    public static byte[] Ihdr(uint w, uint h, byte depth = 8, byte colorType = 2, byte interlace = 0)
    {
        var b = new byte[13];
        BinaryPrimitives.WriteUInt32BigEndian(b, w);
        BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(4), h);
        b[8] = depth; b[9] = colorType; b[12] = interlace;
        return b;
    }

    public static byte[] Zlib(byte[] raw)
    {
        using var ms = new MemoryStream();
        using (var z = new ZLibStream(ms, CompressionLevel.Fastest, leaveOpen: true)) z.Write(raw);
        return ms.ToArray();
    }

    private static uint Crc(ReadOnlySpan<byte> data)
    {
        uint c = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            c ^= b;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        }
        return ~c;
    }
}
