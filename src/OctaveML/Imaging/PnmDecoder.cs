namespace OctaveML.Imaging;

/// <summary>
/// A decoder for binary Netpbm images: PGM (P5, gray) and PPM (P6, RGB), any maxval from 1 to
/// 65535, with '#' comments in the header.
/// </summary>
/// <remarks>
/// maxval 255 is taken as is, 65535 keeps the high byte of each big-endian sample (as 16-bit PNG
/// does), any other maxval is rescaled to 0..255 with rounding; samples above maxval saturate.
/// </remarks>
public static class PnmDecoder
{
    /// <summary>True when <paramref name="header"/> starts with "P5" or "P6" and a whitespace byte.</summary>
    public static bool IsPnm(ReadOnlySpan<byte> header) =>
        header.Length >= 3 && header[0] == 'P' && (header[1] == '5' || header[1] == '6') && IsSpace(header[2]);

    /// <summary>Decodes a binary PGM or PPM held in memory. <paramref name="fileName"/> only names the file in errors.</summary>
    /// <exception cref="ImageFormatException">The data is not a valid P5/P6 image, is truncated, or is larger than <see cref="DecodeOptions.MaxPixels"/>.</exception>
    public static Image Decode(ReadOnlySpan<byte> data, DecodeOptions? options = null, string? fileName = null)
    {
        options ??= DecodeOptions.Default;
        if (data.Length == 0) throw new ImageFormatException(fileName, "the file is empty (0 bytes)");
        if (!IsPnm(data)) throw new ImageFormatException(fileName, "not a binary PGM/PPM file (no P5/P6 signature)");
        int channels = data[1] == '5' ? 1 : 3;
        int pos = 2;
        long width = ReadNumber(data, ref pos, "width", fileName);
        long height = ReadNumber(data, ref pos, "height", fileName);
        long maxval = ReadNumber(data, ref pos, "maxval", fileName);
        if (pos >= data.Length || !IsSpace(data[pos])) throw new ImageFormatException(fileName, "truncated PNM header (no whitespace after maxval)");
        pos++; // exactly one whitespace byte before the raster
        if (width <= 0 || height <= 0 || width > int.MaxValue || height > int.MaxValue)
            throw new ImageFormatException(fileName, $"invalid image size {width}x{height}");
        if (maxval is < 1 or > 65535) throw new ImageFormatException(fileName, $"invalid maxval {maxval} (1..65535)");
        if (width * height > options.MaxPixels)
            throw new ImageFormatException(fileName, $"image is {width}x{height} = {width * height} pixels, more than MaxPixels = {options.MaxPixels}");
        if (width * height > Array.MaxLength / 3)
            throw new ImageFormatException(fileName, $"image {width}x{height} is too large to decode");
        int sampleBytes = maxval < 256 ? 1 : 2;
        long need = width * height * channels * sampleBytes;
        if (data.Length - pos < need)
            throw new ImageFormatException(fileName, $"truncated PNM raster ({need} bytes expected, {data.Length - pos} present)");
        int outChannels = options.Grayscale ? 1 : 3;
        if (width * height * outChannels > Array.MaxLength) throw new ImageFormatException(fileName, $"image {width}x{height} is too large to decode");

        int w = (int)width, h = (int)height;
        long n = (long)w * h;
        byte[] pixels = new byte[n * outChannels];
        ReadOnlySpan<byte> raster = data.Slice(pos, (int)need);
        int m = (int)maxval;
        if (sampleBytes == 1 && m == 255 && channels == outChannels)
        {
            raster.CopyTo(pixels);
            return new Image(w, h, outChannels, pixels);
        }
        for (long i = 0; i < n; i++)
        {
            if (channels == 1)
            {
                byte v = Sample(raster, i, sampleBytes, m);
                if (outChannels == 1) pixels[i] = v;
                else { pixels[3 * i] = v; pixels[3 * i + 1] = v; pixels[3 * i + 2] = v; }
            }
            else
            {
                byte r = Sample(raster, 3 * i, sampleBytes, m), g = Sample(raster, 3 * i + 1, sampleBytes, m), b = Sample(raster, 3 * i + 2, sampleBytes, m);
                if (outChannels == 1) pixels[i] = Luma.FromRgb(r, g, b);
                else { pixels[3 * i] = r; pixels[3 * i + 1] = g; pixels[3 * i + 2] = b; }
            }
        }
        return new Image(w, h, outChannels, pixels);
    }

    private static byte Sample(ReadOnlySpan<byte> raster, long index, int sampleBytes, int maxval)
    {
        if (sampleBytes == 1)
        {
            int v = raster[(int)index];
            return maxval == 255 ? (byte)v : (byte)Math.Min(255, (v * 255 + maxval / 2) / maxval);
        }
        int hi = raster[(int)(2 * index)], lo = raster[(int)(2 * index + 1)];
        if (maxval == 65535) return (byte)hi;
        int s = hi << 8 | lo;
        return (byte)Math.Min(255L, (s * 255L + maxval / 2) / maxval);
    }

    private static bool IsSpace(byte c) => c is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r' or 0x0B or 0x0C;

    /// <summary>Skips whitespace and comments, then reads a decimal number.</summary>
    private static long ReadNumber(ReadOnlySpan<byte> data, ref int pos, string what, string? fileName)
    {
        while (true)
        {
            if (pos >= data.Length) throw new ImageFormatException(fileName, $"truncated PNM header (no {what})");
            byte c = data[pos];
            if (IsSpace(c)) { pos++; continue; }
            if (c == '#')
            {
                while (pos < data.Length && data[pos] != '\n' && data[pos] != '\r') pos++;
                continue;
            }
            break;
        }
        long v = 0;
        int start = pos;
        while (pos < data.Length && data[pos] >= '0' && data[pos] <= '9')
        {
            v = v * 10 + (data[pos] - '0');
            if (v > int.MaxValue) throw new ImageFormatException(fileName, $"PNM {what} is too large");
            pos++;
        }
        if (pos == start) throw new ImageFormatException(fileName, $"invalid PNM header: {what} is not a number");
        return v;
    }
}
