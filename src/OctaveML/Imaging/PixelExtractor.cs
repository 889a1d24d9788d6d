namespace OctaveML.Imaging;

/// <summary>
/// Turns an <see cref="Image"/> into float pixels (ML.NET's ExtractPixels): planar CHW by default or
/// interleaved HWC, RGB or BGR, value = (pixel - offset) * scale or (pixel / 255 - mean) / std.
/// Writes into a caller's span so a loader can fill one slot of a batch tensor without copies.
/// </summary>
public static class PixelExtractor
{
    /// <summary>Floats <see cref="Extract(Image, Span{float}, PixelExtractionOptions?)"/> writes for <paramref name="image"/>.</summary>
    public static int OutputLength(Image image, PixelExtractionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(image);
        options ??= PixelExtractionOptions.Default;
        Validate(options);
        return checked(image.Width * image.Height * options.Channels);
    }

    /// <summary>Extracts into a new array.</summary>
    public static float[] Extract(Image image, PixelExtractionOptions? options = null)
    {
        var result = new float[OutputLength(image, options)];
        Extract(image, result, options);
        return result;
    }

    /// <summary>
    /// Extracts <paramref name="image"/> into <paramref name="destination"/>, which must hold exactly
    /// width * height * channels floats.
    /// </summary>
    public static void Extract(Image image, Span<float> destination, PixelExtractionOptions? options = null)
    {
        options ??= PixelExtractionOptions.Default;
        int length = OutputLength(image, options);
        if (destination.Length != length)
            throw new ArgumentException($"destination holds {destination.Length} floats; a {image.Width}x{image.Height} image with {options.Channels} channel(s) needs exactly {length}.", nameof(destination));

        int outC = options.Channels;
        // One 256-entry table per output channel: the exact formula for every byte value.
        var tables = new float[outC][];
        for (int oc = 0; oc < outC; oc++)
        {
            int colour = outC == 1 ? 0 : options.Order == ColorOrder.Rgb ? oc : 2 - oc;
            var t = new float[256];
            bool normalise = options.Mean is not null || options.Std is not null;
            float mean = options.Mean?[colour] ?? 0f, std = options.Std?[colour] ?? 1f;
            for (int v = 0; v < 256; v++)
                t[v] = normalise ? (v / 255f - mean) / std : (v - options.Offset) * options.Scale;
            tables[oc] = t;
        }

        int n = image.Width * image.Height;
        int inC = image.Channels;
        unsafe
        {
            fixed (byte* px = image.Pixels)
            fixed (float* dst0 = destination)
                for (int oc = 0; oc < outC; oc++)
                {
                    fixed (float* t = tables[oc])
                    {
                        // Source channel of this output channel (for colour sources).
                        int src = outC == 1 ? 0 : options.Order == ColorOrder.Rgb ? oc : 2 - oc;
                        float* d = dst0 + (options.Interleave ? oc : (long)oc * n);
                        int step = options.Interleave ? outC : 1;
                        if (outC == 1 && inC == 3)
                            for (int i = 0; i < n; i++, d += step)
                                *d = t[Luma.FromRgb(px[3 * i], px[3 * i + 1], px[3 * i + 2])];
                        else if (inC == 1)
                            for (int i = 0; i < n; i++, d += step) *d = t[px[i]];
                        else
                        {
                            byte* p = px + src;
                            for (int i = 0; i < n; i++, d += step, p += 3) *d = t[*p];
                        }
                    }
                }
        }
    }

    private static void Validate(PixelExtractionOptions o)
    {
        if (o.Channels is not (1 or 3))
            throw new ArgumentOutOfRangeException(nameof(o.Channels), o.Channels, "Channels must be 1 or 3.");
        if (!Enum.IsDefined(o.Order))
            throw new ArgumentOutOfRangeException(nameof(o.Order), o.Order, "Order must be Rgb or Bgr.");
        if (o.Mean is not null || o.Std is not null)
        {
            if (o.Offset != 0f || o.Scale != 1f)
                throw new ArgumentException("Offset/Scale and Mean/Std are alternatives: leave Offset = 0 and Scale = 1 when Mean or Std is set.", nameof(o.Mean));
            if (o.Mean is not null && o.Mean.Length != o.Channels)
                throw new ArgumentException($"Mean has {o.Mean.Length} values; expected {o.Channels} (one per output channel, R, G, B order).", nameof(o.Mean));
            if (o.Std is not null && o.Std.Length != o.Channels)
                throw new ArgumentException($"Std has {o.Std.Length} values; expected {o.Channels} (one per output channel, R, G, B order).", nameof(o.Std));
            if (o.Std is not null && Array.Exists(o.Std, s => s == 0f || !float.IsFinite(s)))
                throw new ArgumentException("Std values must be finite and non-zero.", nameof(o.Std));
        }
        else if (o.Scale == 0f || !float.IsFinite(o.Scale) || !float.IsFinite(o.Offset))
            throw new ArgumentException($"Scale must be finite and non-zero and Offset finite (got Scale = {o.Scale}, Offset = {o.Offset}).", nameof(o.Scale));
    }
}
