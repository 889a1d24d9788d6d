namespace OctaveML.Imaging;

/// <summary>
/// The EXIF Orientation tag (0x0112): reading it from an APP1 TIFF block, and turning an image
/// upright as it says (1 = as stored, 2 = mirrored, 3 = 180°, 4 = flipped, 5 = transposed,
/// 6 = needs 90° clockwise, 7 = transversed, 8 = needs 90° counter-clockwise).
/// </summary>
internal static class ExifOrientation
{
    /// <summary>The orientation in a TIFF block (the APP1 payload after "Exif\0\0"); 1 when absent or malformed.</summary>
    public static int Parse(ReadOnlySpan<byte> tiff)
    {
        if (tiff.Length < 8) return 1;
        bool little;
        if (tiff[0] == 'I' && tiff[1] == 'I') little = true;
        else if (tiff[0] == 'M' && tiff[1] == 'M') little = false;
        else return 1;
        if (U16(tiff, little, 2) != 42) return 1;
        long ifd = U32(tiff, little, 4);
        if (ifd < 8 || ifd + 2 > tiff.Length) return 1;
        int count = U16(tiff, little, (int)ifd);
        for (int i = 0; i < count; i++)
        {
            long e = ifd + 2 + 12L * i;
            if (e + 12 > tiff.Length) return 1;
            if (U16(tiff, little, (int)e) != 0x0112) continue;
            if (U16(tiff, little, (int)e + 2) != 3) return 1; // must be SHORT
            int value = U16(tiff, little, (int)e + 8);
            return value is >= 1 and <= 8 ? value : 1;
        }
        return 1;
    }

    private static int U16(ReadOnlySpan<byte> t, bool little, int at) =>
        little ? t[at] | (t[at + 1] << 8) : (t[at] << 8) | t[at + 1];

    private static long U32(ReadOnlySpan<byte> t, bool little, int at) => little
        ? (uint)(t[at] | (t[at + 1] << 8) | (t[at + 2] << 16)) | ((uint)t[at + 3] << 24)
        : ((uint)t[at] << 24) | (uint)((t[at + 1] << 16) | (t[at + 2] << 8) | t[at + 3]);

    /// <summary>The upright image for an orientation 1..8 (a new image unless it is 1).</summary>
    public static Image Apply(Image src, int orientation)
    {
        if (orientation is < 2 or > 8) return src;
        int w = src.Width, h = src.Height, ch = src.Channels;
        bool swap = orientation >= 5;
        int ow = swap ? h : w, oh = swap ? w : h;
        var dst = new byte[src.Pixels.Length];
        var s = src.Pixels;
        for (int y = 0; y < oh; y++)
            for (int x = 0; x < ow; x++)
            {
                // Source pixel of output (x, y).
                (int sx, int sy) = orientation switch
                {
                    2 => (w - 1 - x, y),
                    3 => (w - 1 - x, h - 1 - y),
                    4 => (x, h - 1 - y),
                    5 => (y, x),
                    6 => (y, h - 1 - x),
                    7 => (w - 1 - y, h - 1 - x),
                    _ => (w - 1 - y, x),
                };
                int si = (sy * w + sx) * ch, di = (y * ow + x) * ch;
                for (int c = 0; c < ch; c++) dst[di + c] = s[si + c];
            }
        return new Image(ow, oh, ch, dst);
    }
}
