using System.Runtime.CompilerServices;

namespace OctaveML.Imaging;

/// <summary>
/// RGB to grayscale the way Pillow's <c>convert('L')</c> does it: ITU-R 601-2 luma
/// L = R*299/1000 + G*587/1000 + B*114/1000, in Pillow's 16-bit fixed point with rounding
/// ((R*19595 + G*38470 + B*7471 + 0x8000) &gt;&gt; 16), so decoders and Pillow agree to the byte.
/// </summary>
internal static class Luma
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static byte FromRgb(int r, int g, int b) => (byte)((r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16);

    /// <summary>Converts interleaved RGB to gray, <paramref name="count"/> pixels.</summary>
    public static void RgbToGray(ReadOnlySpan<byte> rgb, Span<byte> gray, int count)
    {
        for (int i = 0, j = 0; i < count; i++, j += 3) gray[i] = FromRgb(rgb[j], rgb[j + 1], rgb[j + 2]);
    }

    /// <summary>Replicates gray into interleaved RGB, <paramref name="count"/> pixels.</summary>
    public static void GrayToRgb(ReadOnlySpan<byte> gray, Span<byte> rgb, int count)
    {
        for (int i = 0, j = 0; i < count; i++, j += 3) { byte v = gray[i]; rgb[j] = v; rgb[j + 1] = v; rgb[j + 2] = v; }
    }
}
