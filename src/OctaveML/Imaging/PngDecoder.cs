using System.Buffers;
using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using OctaveML.Kernels;

namespace OctaveML.Imaging;

/// <summary>
/// A managed PNG decoder: every colour type (gray, RGB, palette, gray+alpha, RGBA) and bit depth
/// (1, 2, 4, 8, 16), palettes with tRNS, Adam7 interlacing, all five filters, chunk CRCs checked.
/// </summary>
/// <remarks>
/// The result is 8-bit RGB (or gray with <see cref="DecodeOptions.Grayscale"/>), as Pillow's
/// <c>convert('RGB')</c> / <c>convert('L')</c> give it: alpha (an alpha channel or a tRNS chunk) is
/// dropped, not composited, because ML.NET's LoadImages and Pillow both hand the colour channels on
/// unchanged; 16-bit samples keep their high byte (libpng's strip-16, Pillow's RGB;16B unpacker);
/// 1/2/4-bit gray is scaled to 0..255 (x255, x85, x17); gray is replicated to RGB; colour to gray
/// uses Pillow's ITU-R 601-2 luma. Palette indices past the PLTE entries read as black.
/// The image data is inflated with the runtime's <see cref="ZLibStream"/> into a buffer of exactly the
/// size the header announces, so a decompression bomb cannot make it allocate more than that, and
/// the header's pixel count is checked against <see cref="DecodeOptions.MaxPixels"/> first.
/// </remarks>
public static class PngDecoder
{
    private static ReadOnlySpan<byte> Signature => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    // Adam7: origin and step of each of the seven passes.
    private static readonly int[] PassX0 = [0, 4, 0, 2, 0, 1, 0];
    private static readonly int[] PassY0 = [0, 0, 4, 0, 2, 0, 1];
    private static readonly int[] PassDx = [8, 8, 4, 4, 2, 2, 1];
    private static readonly int[] PassDy = [8, 8, 8, 4, 4, 2, 2];

    private const uint IHDR = 0x49484452, PLTE = 0x504C5445, IDAT = 0x49444154, IEND = 0x49454E44;

    /// <summary>True when <paramref name="header"/> starts with the 8-byte PNG signature.</summary>
    public static bool IsPng(ReadOnlySpan<byte> header) => header.Length >= 8 && header[..8].SequenceEqual(Signature);

    private sealed class Header
    {
        public int Width, Height, BitDepth, ColorType;
        public bool Interlaced;
        public int Samples => ColorType switch { 0 => 1, 2 => 3, 3 => 1, 4 => 2, _ => 4 };
        public int BitsPerPixel => Samples * BitDepth;
        /// <summary>Bytes per complete pixel for the filters (at least 1).</summary>
        public int FilterBpp => Math.Max(1, BitsPerPixel / 8);
    }

    /// <summary>
    /// Decodes a PNG held in memory. <paramref name="fileName"/> only names the file in errors.
    /// </summary>
    /// <exception cref="ImageFormatException">The data is not a valid PNG, is truncated or corrupt, or is larger than <see cref="DecodeOptions.MaxPixels"/>.</exception>
    public static Image Decode(ReadOnlySpan<byte> data, DecodeOptions? options = null, string? fileName = null)
    {
        options ??= DecodeOptions.Default;
        if (data.Length == 0) throw new ImageFormatException(fileName, "the file is empty (0 bytes)");
        if (!IsPng(data)) throw new ImageFormatException(fileName, "not a PNG file (bad signature)");

        Header? h = null;
        byte[]? palette = null; // 256 RGB triples, black past the PLTE entries
        var idat = new List<(int Offset, int Length)>();
        long idatTotal = 0;
        bool idatClosed = false;
        int pos = 8;
        while (true)
        {
            if (pos == data.Length)
            {
                // No IEND: accept what is there when image data was seen (Pillow and libpng do too).
                if (idat.Count == 0) throw new ImageFormatException(fileName, h is null ? "truncated: no IHDR chunk" : "truncated: no image data (IDAT)");
                break;
            }
            if (data.Length - pos < 8) throw new ImageFormatException(fileName, $"truncated chunk header at byte {pos}");
            uint length = BinaryPrimitives.ReadUInt32BigEndian(data[pos..]);
            uint type = BinaryPrimitives.ReadUInt32BigEndian(data[(pos + 4)..]);
            string name = ChunkName(data.Slice(pos + 4, 4));
            if (!IsChunkType(data.Slice(pos + 4, 4))) throw new ImageFormatException(fileName, $"corrupt chunk type {name} at byte {pos}");
            if (length > int.MaxValue || pos + 12L + length > data.Length)
                throw new ImageFormatException(fileName, $"truncated in chunk '{name}' at byte {pos} (length {length}, {data.Length - pos - 8} bytes left)");
            int len = (int)length;
            ReadOnlySpan<byte> body = data.Slice(pos + 8, len);
            uint crc = BinaryPrimitives.ReadUInt32BigEndian(data[(pos + 8 + len)..]);
            if (Crc32.Compute(data.Slice(pos + 4, 4 + len)) != crc)
                throw new ImageFormatException(fileName, $"CRC error in chunk '{name}' at byte {pos}");
            if (h is null && type != IHDR) throw new ImageFormatException(fileName, $"the first chunk is '{name}', not 'IHDR'");
            if (idat.Count > 0 && type != IDAT) idatClosed = true;

            switch (type)
            {
                case IHDR:
                    if (h is not null) throw new ImageFormatException(fileName, "more than one IHDR chunk");
                    h = ParseHeader(body, options, fileName);
                    break;
                case PLTE:
                    if (len % 3 != 0 || len == 0 || len > 768) throw new ImageFormatException(fileName, $"invalid PLTE chunk length {len}");
                    palette = new byte[768];
                    body.CopyTo(palette);
                    break;
                case IDAT:
                    if (idatClosed) throw new ImageFormatException(fileName, "IDAT chunks are not consecutive");
                    idat.Add((pos + 8, len));
                    idatTotal += len;
                    break;
                case IEND:
                    break;
                default:
                    // Ancillary chunks (lowercase first letter: tRNS, gAMA, tEXt, ...) carry nothing we use.
                    if ((data[pos + 4] & 0x20) == 0)
                        throw new UnsupportedImageFormatException(fileName, $"unknown critical chunk '{name}'");
                    break;
            }
            pos += 12 + len;
            if (type == IEND) break;
        }
        if (h is null) throw new ImageFormatException(fileName, "no IHDR chunk");
        if (idat.Count == 0) throw new ImageFormatException(fileName, "no image data (IDAT chunk)");
        if (h.ColorType == 3 && palette is null) throw new ImageFormatException(fileName, "palette image without a PLTE chunk");

        // Sizes of the raw (filtered) scanlines, pass by pass.
        int passes = h.Interlaced ? 7 : 1;
        long expected = 0;
        for (int p = 0; p < passes; p++)
        {
            var (pw, ph) = PassSize(h, p);
            if (pw == 0 || ph == 0) continue;
            expected += ph * (1 + RowBytes(h, pw));
        }
        // Deflate expands at most about 1032:1, so less IDAT than that cannot fill the scanlines:
        // fail now instead of allocating for an image the data cannot hold.
        if (expected > idatTotal * 1100 + 4096)
            throw new ImageFormatException(fileName, $"truncated image data: {idatTotal} bytes of IDAT cannot hold the {expected} bytes of scanlines a {h.Width}x{h.Height} image needs");
        int outChannels = options.Grayscale ? 1 : 3;
        if (expected > Array.MaxLength || (long)h.Width * h.Height * outChannels > Array.MaxLength)
            throw new ImageFormatException(fileName, $"image {h.Width}x{h.Height} is too large to decode");

        byte[] compressed = ArrayPool<byte>.Shared.Rent((int)Math.Min(idatTotal, int.MaxValue));
        byte[] raw = ArrayPool<byte>.Shared.Rent((int)expected);
        try
        {
            if (idatTotal > int.MaxValue) throw new ImageFormatException(fileName, "too much IDAT data");
            int at = 0;
            foreach (var (off, len) in idat) { data.Slice(off, len).CopyTo(compressed.AsSpan(at)); at += len; }
            Inflate(compressed, at, raw, (int)expected, fileName);
            byte[] pixels = new byte[(long)h.Width * h.Height * outChannels];
            var luma = palette is null ? null : PaletteLuma(palette);
            Unfilter(h, raw, pixels, outChannels, palette, luma, fileName);
            return new Image(h.Width, h.Height, outChannels, pixels);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(compressed);
            ArrayPool<byte>.Shared.Return(raw);
        }
    }

    private static Header ParseHeader(ReadOnlySpan<byte> body, DecodeOptions options, string? fileName)
    {
        if (body.Length != 13) throw new ImageFormatException(fileName, $"IHDR has length {body.Length}, not 13");
        uint w = BinaryPrimitives.ReadUInt32BigEndian(body);
        uint hgt = BinaryPrimitives.ReadUInt32BigEndian(body[4..]);
        int depth = body[8], ct = body[9];
        if (w == 0 || hgt == 0 || w > int.MaxValue || hgt > int.MaxValue)
            throw new ImageFormatException(fileName, $"invalid image size {w}x{hgt}");
        bool ok = ct switch
        {
            0 => depth is 1 or 2 or 4 or 8 or 16,
            3 => depth is 1 or 2 or 4 or 8,
            2 or 4 or 6 => depth is 8 or 16,
            _ => false,
        };
        if (!ok) throw new ImageFormatException(fileName, $"invalid colour type {ct} with bit depth {depth}");
        if (body[10] != 0) throw new ImageFormatException(fileName, $"unknown compression method {body[10]}");
        if (body[11] != 0) throw new ImageFormatException(fileName, $"unknown filter method {body[11]}");
        if (body[12] > 1) throw new ImageFormatException(fileName, $"unknown interlace method {body[12]}");
        long pixels = (long)w * hgt;
        if (pixels > options.MaxPixels)
            throw new ImageFormatException(fileName, $"image is {w}x{hgt} = {pixels} pixels, more than MaxPixels = {options.MaxPixels}");
        if (pixels > Array.MaxLength)
            throw new ImageFormatException(fileName, $"image {w}x{hgt} is too large to decode");
        return new Header { Width = (int)w, Height = (int)hgt, BitDepth = depth, ColorType = ct, Interlaced = body[12] == 1 };
    }

    private static (int Width, int Height) PassSize(Header h, int pass)
    {
        if (!h.Interlaced) return (h.Width, h.Height);
        int pw = (int)((h.Width - PassX0[pass] + (long)PassDx[pass] - 1) / PassDx[pass]);
        int ph = (int)((h.Height - PassY0[pass] + (long)PassDy[pass] - 1) / PassDy[pass]);
        return (Math.Max(0, pw), Math.Max(0, ph));
    }

    private static long RowBytes(Header h, int width) => ((long)width * h.BitsPerPixel + 7) / 8;

    private static void Inflate(byte[] compressed, int length, byte[] raw, int expected, string? fileName)
    {
        int got;
        try
        {
            using var source = new MemoryStream(compressed, 0, length, writable: false);
            using var z = new ZLibStream(source, CompressionMode.Decompress);
            // Never ask for more than the scanlines need: trailing data is ignored, a bomb stops here.
            got = z.ReadAtLeast(raw.AsSpan(0, expected), expected, throwOnEndOfStream: false);
        }
        catch (InvalidDataException e)
        {
            throw new ImageFormatException(fileName, $"corrupt compressed image data in IDAT: {e.Message}", e);
        }
        if (got < expected)
            throw new ImageFormatException(fileName, $"truncated image data: IDAT inflates to {got} bytes, the header needs {expected}");
    }

    private static byte[] PaletteLuma(byte[] palette)
    {
        var l = new byte[256];
        for (int i = 0; i < 256; i++) l[i] = Luma.FromRgb(palette[3 * i], palette[3 * i + 1], palette[3 * i + 2]);
        return l;
    }

    private static void Unfilter(Header h, byte[] raw, byte[] pixels, int outChannels, byte[]? palette, byte[]? luma, string? fileName)
    {
        int passes = h.Interlaced ? 7 : 1;
        int maxRow = (int)RowBytes(h, h.Width);
        byte[] zeros = new byte[maxRow];
        byte[]? scratch = h.Interlaced ? new byte[h.Width * outChannels] : null;
        int bpp = h.FilterBpp;
        int offset = 0;
        for (int p = 0; p < passes; p++)
        {
            var (pw, ph) = PassSize(h, p);
            if (pw == 0 || ph == 0) continue;
            int rowBytes = (int)RowBytes(h, pw);
            int prior = -1;
            for (int y = 0; y < ph; y++)
            {
                int filter = raw[offset];
                if (filter > 4) throw new ImageFormatException(fileName, $"invalid filter type {filter} in row {y}" + (h.Interlaced ? $" of Adam7 pass {p + 1}" : ""));
                Span<byte> row = raw.AsSpan(offset + 1, rowBytes);
                ReadOnlySpan<byte> above = prior < 0 ? zeros.AsSpan(0, rowBytes) : raw.AsSpan(prior + 1, rowBytes);
                PngFilters.Unfilter(filter, row, above, bpp);
                prior = offset;
                offset += 1 + rowBytes;

                if (!h.Interlaced)
                {
                    ConvertRow(h, row, pw, pixels.AsSpan(y * h.Width * outChannels, pw * outChannels), outChannels, palette, luma);
                }
                else
                {
                    ConvertRow(h, row, pw, scratch, outChannels, palette, luma);
                    int yy = PassY0[p] + y * PassDy[p];
                    int dx = PassDx[p];
                    int dst = (yy * h.Width + PassX0[p]) * outChannels;
                    if (outChannels == 1)
                        for (int x = 0; x < pw; x++, dst += dx) pixels[dst] = scratch![x];
                    else
                        for (int x = 0, s = 0; x < pw; x++, dst += 3 * dx, s += 3)
                        {
                            pixels[dst] = scratch![s]; pixels[dst + 1] = scratch[s + 1]; pixels[dst + 2] = scratch[s + 2];
                        }
                }
            }
        }
    }

    /// <summary>Turns one unfiltered scanline of <paramref name="count"/> pixels into 8-bit gray or RGB.</summary>
    private static void ConvertRow(Header h, ReadOnlySpan<byte> row, int count, Span<byte> dst, int outChannels, byte[]? palette, byte[]? luma)
    {
        int depth = h.BitDepth;
        switch (h.ColorType)
        {
            case 0:
            case 4:
                {
                    int step = h.ColorType == 0 ? depth / 8 : 2 * (depth / 8); // bytes per pixel for 8/16-bit
                    for (int x = 0; x < count; x++)
                    {
                        byte g = depth >= 8 ? row[x * step] : (byte)(Unpack(row, x, depth) * (255 / ((1 << depth) - 1)));
                        if (outChannels == 1) dst[x] = g;
                        else { dst[3 * x] = g; dst[3 * x + 1] = g; dst[3 * x + 2] = g; }
                    }
                    break;
                }
            case 2:
            case 6:
                {
                    int sampleBytes = depth / 8;
                    int pixelBytes = (h.ColorType == 2 ? 3 : 4) * sampleBytes;
                    if (h.ColorType == 2 && depth == 8 && outChannels == 3)
                    {
                        row[..(3 * count)].CopyTo(dst);
                        break;
                    }
                    for (int x = 0, s = 0; x < count; x++, s += pixelBytes)
                    {
                        byte r = row[s], g = row[s + sampleBytes], b = row[s + 2 * sampleBytes];
                        if (outChannels == 1) dst[x] = Luma.FromRgb(r, g, b);
                        else { dst[3 * x] = r; dst[3 * x + 1] = g; dst[3 * x + 2] = b; }
                    }
                    break;
                }
            default: // 3: palette
                for (int x = 0; x < count; x++)
                {
                    int i = depth == 8 ? row[x] : Unpack(row, x, depth);
                    if (outChannels == 1) dst[x] = luma![i];
                    else { dst[3 * x] = palette![3 * i]; dst[3 * x + 1] = palette[3 * i + 1]; dst[3 * x + 2] = palette[3 * i + 2]; }
                }
                break;
        }
    }

    /// <summary>The <paramref name="x"/>-th sub-byte sample of a row, most significant bits first.</summary>
    private static int Unpack(ReadOnlySpan<byte> row, int x, int depth)
    {
        int bit = x * depth;
        return (row[bit >> 3] >> (8 - depth - (bit & 7))) & ((1 << depth) - 1);
    }

    private static bool IsChunkType(ReadOnlySpan<byte> t)
    {
        foreach (byte c in t) if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'))) return false;
        return true;
    }

    private static string ChunkName(ReadOnlySpan<byte> t)
    {
        var sb = new StringBuilder(4);
        foreach (byte c in t) sb.Append(c >= 0x20 && c < 0x7F ? (char)c : '?');
        return sb.ToString();
    }
}
