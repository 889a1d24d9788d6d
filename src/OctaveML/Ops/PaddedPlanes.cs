using OctaveML.Blas;

namespace OctaveML.Ops;

/// <summary>
/// The layout a stride-1 "same" convolution reads through <see cref="GemmIndirect"/>: per channel, a group of
/// images' maps stacked one under another, <see cref="Pad"/> zero columns either side of every row and
/// <see cref="Pad"/> zero rows between images (shared by neighbours) and around the stack. Output column
/// j = i * <see cref="ImageStride"/> + y * <see cref="RowWidth"/> + x is pixel (y, x) of image i (x &lt; w; the
/// other columns are scratch). Tap (ky, kx) of channel c is then the channel's plane shifted by a constant,
/// so a convolution's K rows are pointers into these planes (<see cref="TapRows"/>), and its adjoint reads
/// the output gradients in the same layout with mirrored shifts (<see cref="AdjointTapRows"/>).
/// </summary>
internal readonly unsafe struct PaddedPlanes
{
    public PaddedPlanes(int images, int h, int w, int kernel, int pad, int dilation)
    {
        H = h; W = w; Kernel = kernel; Pad = pad; Dilation = dilation;
        RowWidth = w + 2 * pad;
        ImageStride = (h + pad) * RowWidth;
        int n = (images - 1) * ImageStride + h * RowWidth;
        Columns = (n + GemmIndirect.NR - 1) / GemmIndirect.NR * GemmIndirect.NR;
        // The stacked maps with their borders, and room for the furthest tap's read of the last column.
        long stack = (long)(pad + images * (h + pad)) * RowWidth, reach = 2L * pad * RowWidth + 2 * pad + Columns;
        ChannelStride = (int)((Math.Max(stack, reach) + 7) / 8 * 8);
    }

    public int H { get; }
    public int W { get; }
    public int Kernel { get; }
    public int Pad { get; }
    public int Dilation { get; }

    /// <summary>Floats per padded row.</summary>
    public int RowWidth { get; }

    /// <summary>Columns from one image's first pixel to the next one's.</summary>
    public int ImageStride { get; }

    /// <summary>Columns the products compute: every image's pixels, rounded up to whole tiles.</summary>
    public int Columns { get; }

    /// <summary>Floats per channel of a padded buffer.</summary>
    public int ChannelStride { get; }

    /// <summary>Whether a convolution of this kernel, padding, dilation and stride keeps the map size (what this layout serves).</summary>
    public static bool Applies(int kernel, int stride, int pad, int dilation) => kernel > 1 && stride == 1 && 2 * pad == (kernel - 1) * dilation;

    /// <summary>Offset of pixel (0, 0) of image i in a channel.</summary>
    private long Origin(int i) => (long)(Pad + i * (H + Pad)) * RowWidth + Pad;

    /// <summary>Zeroes a padded buffer of <paramref name="channels"/> channels (its borders stay zero while images are filled in).</summary>
    public void Clear(float* buffer, int channels) => new Span<float>(buffer, checked(channels * ChannelStride)).Clear();

    /// <summary>Copies image i's [channels, h, w] planes (channel c at image + c * channelStride) into a cleared buffer.</summary>
    public void FillImage(int i, float* image, long channelStride, int channels, float* buffer)
    {
        for (int c = 0; c < channels; c++)
        {
            float* s = image + c * channelStride, d = buffer + (long)c * ChannelStride + Origin(i);
            for (int y = 0; y < H; y++) new ReadOnlySpan<float>(s + y * W, W).CopyTo(new Span<float>(d + (long)y * RowWidth, W));
        }
    }

    /// <summary>
    /// Copies image i's pixels of a product's result ([channels, ldc] in this layout's columns) into its
    /// [channels, h, w] planes (channel c at image + c * channelStride).
    /// </summary>
    public void ExtractImage(int i, float* result, long ldc, int channels, float* image, long channelStride)
    {
        for (int c = 0; c < channels; c++)
        {
            float* s = result + c * ldc + (long)i * ImageStride, d = image + c * channelStride;
            for (int y = 0; y < H; y++) new ReadOnlySpan<float>(s + (long)y * RowWidth, W).CopyTo(new Span<float>(d + y * W, W));
        }
    }

    /// <summary>Row (c, ky, kx) of the convolution's K: channel c of a filled buffer shifted by the tap (rows[c * kk + ky * k + kx]).</summary>
    public void TapRows(float* buffer, int channels, float** rows)
    {
        int k = Kernel;
        for (int c = 0; c < channels; c++)
            for (int ky = 0; ky < k; ky++)
                for (int kx = 0; kx < k; kx++)
                    rows[(c * k + ky) * k + kx] = buffer + (long)c * ChannelStride + (long)ky * Dilation * RowWidth + kx * Dilation;
    }

    /// <summary>
    /// Row (o, ky, kx) of the adjoint's K: output-gradient channel o of a filled buffer shifted the mirrored way,
    /// so that dx[ci] = sum over (o, ky, kx) of w[o, ci, ky, kx] times the row.
    /// </summary>
    public void AdjointTapRows(float* buffer, int channels, float** rows)
    {
        int k = Kernel;
        for (int o = 0; o < channels; o++)
            for (int ky = 0; ky < k; ky++)
                for (int kx = 0; kx < k; kx++)
                    rows[(o * k + ky) * k + kx] = buffer + (long)o * ChannelStride
                        + (long)(2 * Pad - ky * Dilation) * RowWidth + (2 * Pad - kx * Dilation);
    }

    /// <summary>Channel c of a filled buffer read in output columns (pixel (y, x) of image i at column i * ImageStride + y * RowWidth + x; zero elsewhere).</summary>
    public float* OutputView(float* buffer, int c) => buffer + (long)c * ChannelStride + Origin(0);
}
