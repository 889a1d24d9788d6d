using System.Buffers.Binary;
using System.Numerics;

namespace OctaveML.Imaging;

/// <summary>
/// A managed BMP (Windows bitmap) decoder: 1, 4 and 8-bit palettes, 16-bit (5-5-5 and bit fields),
/// 24-bit and 32-bit (BI_RGB and BI_BITFIELDS), bottom-up and top-down, every header version
/// (core, V1 to V5). RLE and embedded JPEG/PNG compression are reported as unsupported.
/// </summary>
/// <remarks>
/// Alpha is dropped, as Pillow's <c>convert('RGB')</c> does. Bit-field channels narrower than 8 bits
/// are scaled by v*255/max (truncating, Pillow's BGR;15/BGR;16 unpackers), wider ones keep their top
/// 8 bits. Palette indices past the palette read as black.
/// </remarks>
public static class BmpDecoder
{
    /// <summary>True when <paramref name="header"/> starts with "BM" and a plausible DIB header size.</summary>
    public static bool IsBmp(ReadOnlySpan<byte> header)
    {
        if (header.Length < 2 || header[0] != 'B' || header[1] != 'M') return false;
        if (header.Length < 18) return true;
        uint dib = BinaryPrimitives.ReadUInt32LittleEndian(header[14..]);
        return dib is 12 or 16 or 40 or 52 or 56 or 64 or 108 or 124;
    }

    /// <summary>Decodes a BMP held in memory. <paramref name="fileName"/> only names the file in errors.</summary>
    /// <exception cref="ImageFormatException">The data is not a valid BMP, is truncated, uses an unsupported compression, or is larger than <see cref="DecodeOptions.MaxPixels"/>.</exception>
    public static Image Decode(ReadOnlySpan<byte> data, DecodeOptions? options = null, string? fileName = null)
    {
        options ??= DecodeOptions.Default;
        if (data.Length == 0) throw new ImageFormatException(fileName, "the file is empty (0 bytes)");
        if (data.Length < 2 || data[0] != 'B' || data[1] != 'M') throw new ImageFormatException(fileName, "not a BMP file (no 'BM' signature)");
        if (data.Length < 18) throw new ImageFormatException(fileName, "truncated BMP file header");
        uint pixelOffset = BinaryPrimitives.ReadUInt32LittleEndian(data[10..]);
        uint dibSize = BinaryPrimitives.ReadUInt32LittleEndian(data[14..]);
        if (dibSize is not (12 or 16 or 40 or 52 or 56 or 64 or 108 or 124))
            throw new ImageFormatException(fileName, $"unknown BMP header size {dibSize}");
        if (data.Length < 14 + dibSize) throw new ImageFormatException(fileName, $"truncated BMP info header ({dibSize} bytes expected)");
        ReadOnlySpan<byte> dib = data.Slice(14, (int)dibSize);

        long width, height;
        int bpp;
        uint compression = 0, colorsUsed = 0;
        int paletteEntrySize;
        if (dibSize == 12)
        {
            width = BinaryPrimitives.ReadUInt16LittleEndian(dib[4..]);
            height = BinaryPrimitives.ReadUInt16LittleEndian(dib[6..]);
            bpp = BinaryPrimitives.ReadUInt16LittleEndian(dib[10..]);
            paletteEntrySize = 3;
        }
        else
        {
            width = BinaryPrimitives.ReadInt32LittleEndian(dib[4..]);
            height = BinaryPrimitives.ReadInt32LittleEndian(dib[8..]);
            bpp = BinaryPrimitives.ReadUInt16LittleEndian(dib[14..]);
            if (dibSize >= 20) compression = BinaryPrimitives.ReadUInt32LittleEndian(dib[16..]);
            if (dibSize >= 36) colorsUsed = BinaryPrimitives.ReadUInt32LittleEndian(dib[32..]);
            paletteEntrySize = 4;
        }
        bool topDown = height < 0;
        height = Math.Abs(height);
        if (width <= 0 || height <= 0 || width > int.MaxValue || height > int.MaxValue)
            throw new ImageFormatException(fileName, $"invalid image size {width}x{(topDown ? -height : height)}");
        if (width * height > options.MaxPixels)
            throw new ImageFormatException(fileName, $"image is {width}x{height} = {width * height} pixels, more than MaxPixels = {options.MaxPixels}");
        if (width * height > Array.MaxLength / 3)
            throw new ImageFormatException(fileName, $"image {width}x{height} is too large to decode");
        if (bpp is not (1 or 4 or 8 or 16 or 24 or 32))
            throw new ImageFormatException(fileName, $"invalid bits per pixel {bpp}");
        if (dibSize == 64 && compression != 0)
            throw new UnsupportedImageFormatException(fileName, $"OS/2 BMP compression {compression} is not supported");
        switch (compression)
        {
            case 0: break;
            case 1: throw new UnsupportedImageFormatException(fileName, "RLE8-compressed BMP (BI_RLE8) is not supported");
            case 2: throw new UnsupportedImageFormatException(fileName, "RLE4-compressed BMP (BI_RLE4) is not supported");
            case 3:
            case 6:
                if (bpp is not (16 or 32)) throw new ImageFormatException(fileName, $"BI_BITFIELDS with {bpp} bits per pixel");
                break;
            case 4: throw new UnsupportedImageFormatException(fileName, "BMP with an embedded JPEG (BI_JPEG) is not supported");
            case 5: throw new UnsupportedImageFormatException(fileName, "BMP with an embedded PNG (BI_PNG) is not supported");
            default: throw new ImageFormatException(fileName, $"unknown BMP compression {compression}");
        }

        // Channel masks for 16/32-bit pixels (R, G, B).
        uint rMask = 0, gMask = 0, bMask = 0;
        int afterHeader = 14 + (int)dibSize;
        if (compression is 3 or 6)
        {
            ReadOnlySpan<byte> masks;
            if (dibSize >= 52) masks = dib[40..];
            else
            {
                int n = compression == 6 ? 16 : 12;
                if (data.Length < afterHeader + n) throw new ImageFormatException(fileName, "truncated BMP bit-field masks");
                masks = data.Slice(afterHeader, 12);
                afterHeader += n;
            }
            rMask = BinaryPrimitives.ReadUInt32LittleEndian(masks);
            gMask = BinaryPrimitives.ReadUInt32LittleEndian(masks[4..]);
            bMask = BinaryPrimitives.ReadUInt32LittleEndian(masks[8..]);
        }
        else if (bpp == 16) { rMask = 0x7C00; gMask = 0x03E0; bMask = 0x001F; }
        else if (bpp == 32) { rMask = 0xFF0000; gMask = 0xFF00; bMask = 0xFF; }

        byte[]? palette = null;
        if (bpp <= 8)
        {
            long entries = colorsUsed == 0 ? 1L << bpp : Math.Min(colorsUsed, 256u);
            long paletteBytes = entries * paletteEntrySize;
            if (afterHeader + paletteBytes > data.Length) throw new ImageFormatException(fileName, "truncated BMP palette");
            palette = new byte[256 * 3];
            for (int i = 0; i < entries; i++)
            {
                int p = afterHeader + i * paletteEntrySize;
                palette[3 * i] = data[p + 2]; palette[3 * i + 1] = data[p + 1]; palette[3 * i + 2] = data[p];
            }
        }

        int w = (int)width, h = (int)height;
        long stride = ((width * bpp + 31) / 32) * 4;
        long lastRow = (width * bpp + 7) / 8;
        if (pixelOffset > data.Length || pixelOffset + stride * (h - 1) + lastRow > data.Length)
            throw new ImageFormatException(fileName, $"truncated BMP pixel data ({stride * h} bytes at offset {pixelOffset} expected, the file has {data.Length} bytes)");
        int outChannels = options.Grayscale ? 1 : 3;
        if ((long)w * h * outChannels > Array.MaxLength) throw new ImageFormatException(fileName, $"image {w}x{h} is too large to decode");

        var r = new Field(rMask); var g = new Field(gMask); var b = new Field(bMask);
        byte[] pixels = new byte[(long)w * h * outChannels];
        for (int y = 0; y < h; y++)
        {
            int srcRow = topDown ? y : h - 1 - y;
            ReadOnlySpan<byte> row = data.Slice((int)(pixelOffset + stride * srcRow), (int)lastRow);
            Span<byte> dst = pixels.AsSpan(y * w * outChannels, w * outChannels);
            for (int x = 0; x < w; x++)
            {
                byte rr, gg, bb;
                switch (bpp)
                {
                    case 24:
                        bb = row[3 * x]; gg = row[3 * x + 1]; rr = row[3 * x + 2];
                        break;
                    case 32:
                    case 16:
                        {
                            uint v = bpp == 32 ? BinaryPrimitives.ReadUInt32LittleEndian(row[(4 * x)..]) : BinaryPrimitives.ReadUInt16LittleEndian(row[(2 * x)..]);
                            rr = r.Extract(v); gg = g.Extract(v); bb = b.Extract(v);
                            break;
                        }
                    default:
                        {
                            int bit = x * bpp;
                            int i = (row[bit >> 3] >> (8 - bpp - (bit & 7))) & ((1 << bpp) - 1);
                            rr = palette![3 * i]; gg = palette[3 * i + 1]; bb = palette[3 * i + 2];
                            break;
                        }
                }
                if (outChannels == 1) dst[x] = Luma.FromRgb(rr, gg, bb);
                else { dst[3 * x] = rr; dst[3 * x + 1] = gg; dst[3 * x + 2] = bb; }
            }
        }
        return new Image(w, h, outChannels, pixels);
    }

    /// <summary>One channel of a bit-field pixel: its mask's shift and width.</summary>
    private readonly struct Field
    {
        private readonly uint _mask;
        private readonly int _shift, _bits;
        private readonly uint _max;

        public Field(uint mask)
        {
            _mask = mask;
            _shift = mask == 0 ? 0 : BitOperations.TrailingZeroCount(mask);
            _bits = BitOperations.PopCount(mask);
            _max = _bits >= 32 ? uint.MaxValue : (1u << _bits) - 1;
        }

        public byte Extract(uint pixel)
        {
            if (_bits == 0) return 0;
            uint v = (pixel & _mask) >> _shift;
            if (_bits == 8) return (byte)v;
            if (_bits > 8) return (byte)Math.Min(255u, v >> (_bits - 8));
            return (byte)Math.Min(255ul, v * 255ul / _max);
        }
    }
}
