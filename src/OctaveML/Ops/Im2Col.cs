using System.Runtime.CompilerServices;

namespace OctaveML.Ops;

/// <summary>
/// Unfolds convolution patches into a column matrix and folds them back. The column matrix of
/// channels [c0, c0 + C) has C*kH*kW rows, row (c*kH + kh)*kW + kw, and one column per output pixel
/// j = oh*OW + ow; a tile holds columns [colStart, colStart + colCount) with row stride colCount.
/// Reused by the octave-convolution layer to unfold an input once for several convolutions.
/// </summary>
internal static class Im2Col
{
    /// <summary>
    /// col[(c*kH + kh)*kW + kw, j - colStart] = image[c, oh*S - P + kh*D, ow*S - P + kw*D] (zero outside),
    /// for c in [0, <paramref name="channels"/>), j in [colStart, colStart + colCount).
    /// <paramref name="image"/> starts at the first channel of one image ([channels, H, W]).
    /// <paramref name="ldCol"/> is the row stride of <paramref name="col"/> (0 = colCount), so several
    /// images can be unfolded side by side into one wider matrix.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void Unfold(in ConvGeometry g, ReadOnlySpan<float> image, int channels,
        int colStart, int colCount, Span<float> col, int ldCol = 0)
    {
        ldCol = CheckArguments(g, image.Length, channels, colCount, col.Length, ldCol);
        int kH = g.KernelH, kW = g.KernelW, H = g.Height, W = g.Width, OW = g.OutWidth, s = g.Stride;
        fixed (float* img = image, cl = col)
        {
            if (WholeSamePlanes(g, colStart, colCount))
            {
                Im2ColPlanes.Unfold(img, channels, H, W, kH, g.Padding, g.Dilation, cl, ldCol);
                return;
            }
            float* dst = cl;
            for (int c = 0; c < channels; c++)
            {
                float* plane = img + (long)c * H * W;
                for (int kh = 0; kh < kH; kh++)
                {
                    int offH = kh * g.Dilation - g.Padding;
                    for (int kw = 0; kw < kW; kw++, dst += ldCol)
                    {
                        int offW = kw * g.Dilation - g.Padding;
                        ValidRange(offW, W, s, OW, out int owLo, out int owHi);
                        int j = colStart, end = colStart + colCount;
                        int oh = j / OW, ow = j - oh * OW;
                        float* d = dst;
                        while (j < end)
                        {
                            int n = Math.Min(end - j, OW - ow);
                            int ih = oh * s + offH;
                            if ((uint)ih >= (uint)H)
                            {
                                ShortRows.Clear(d, n);
                            }
                            else
                            {
                                int a = Math.Clamp(owLo, ow, ow + n), b = Math.Clamp(owHi, a, ow + n);
                                if (a > ow) ShortRows.Clear(d, a - ow);
                                float* src = plane + (long)ih * W + offW;
                                if (s == 1)
                                    ShortRows.Copy(src + a, d + (a - ow), b - a);
                                else if (s == 2)
                                    ShortRows.CopyEven(src + 2 * a, d + (a - ow), b - a);
                                else
                                    for (int x = a; x < b; x++) d[x - ow] = src[x * s];
                                if (ow + n > b) ShortRows.Clear(d + (b - ow), ow + n - b);
                            }
                            d += n; j += n; oh++; ow = 0;
                        }
                    }
                }
            }
        }
    }

    /// <summary>
    /// The adjoint of <see cref="Unfold"/>: adds every column entry into the image position it was
    /// read from (entries that fell in the padding are dropped). <paramref name="image"/> is added to;
    /// <paramref name="ldCol"/> is the row stride of <paramref name="col"/> (0 = colCount).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void Fold(in ConvGeometry g, ReadOnlySpan<float> col, int channels,
        int colStart, int colCount, Span<float> image, int ldCol = 0)
    {
        ldCol = CheckArguments(g, image.Length, channels, colCount, col.Length, ldCol);
        int kH = g.KernelH, kW = g.KernelW, H = g.Height, W = g.Width, OW = g.OutWidth, s = g.Stride;
        fixed (float* img = image, cl = col)
        {
            if (WholeSamePlanes(g, colStart, colCount))
            {
                Im2ColPlanes.Fold(cl, ldCol, channels, H, W, kH, g.Padding, g.Dilation, img);
                return;
            }
            float* srcRow = cl;
            for (int c = 0; c < channels; c++)
            {
                float* plane = img + (long)c * H * W;
                for (int kh = 0; kh < kH; kh++)
                {
                    int offH = kh * g.Dilation - g.Padding;
                    for (int kw = 0; kw < kW; kw++, srcRow += ldCol)
                    {
                        int offW = kw * g.Dilation - g.Padding;
                        ValidRange(offW, W, s, OW, out int owLo, out int owHi);
                        int j = colStart, end = colStart + colCount;
                        int oh = j / OW, ow = j - oh * OW;
                        float* sp = srcRow;
                        while (j < end)
                        {
                            int n = Math.Min(end - j, OW - ow);
                            int ih = oh * s + offH;
                            if ((uint)ih < (uint)H)
                            {
                                int a = Math.Clamp(owLo, ow, ow + n), b = Math.Clamp(owHi, a, ow + n);
                                float* dst = plane + (long)ih * W + offW;
                                if (s == 1)
                                    ShortRows.AddTo(sp + (a - ow), dst + a, b - a);
                                else
                                    for (int x = a; x < b; x++) dst[x * s] += sp[x - ow];
                            }
                            sp += n; j += n; oh++; ow = 0;
                        }
                    }
                }
            }
        }
    }

    /// <summary>Whole output maps of a square stride-1 "same" convolution: <see cref="Im2ColPlanes"/> does them plane by plane.</summary>
    private static bool WholeSamePlanes(in ConvGeometry g, int colStart, int colCount) =>
        colStart == 0 && colCount == g.OutHeight * g.OutWidth && g.KernelH == g.KernelW && g.KernelH > 1
        && Im2ColPlanes.Applies(g.KernelH, g.Stride, g.Padding, g.Dilation) && Im2ColPlanes.Pays(g.Width);

    /// <summary>Output columns [lo, hi) whose input column ow*S + offW lies inside [0, W).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void ValidRange(int offW, int width, int stride, int outWidth, out int lo, out int hi)
    {
        lo = offW >= 0 ? 0 : (-offW + stride - 1) / stride;
        int room = width - offW; // need ow*S < room
        hi = room <= 0 ? 0 : Math.Min(outWidth, (room + stride - 1) / stride);
        if (lo > hi) lo = hi;
    }

    /// <summary>The span checks shared by <see cref="Unfold"/> and <see cref="Fold"/>; returns the effective ldCol.</summary>
    private static int CheckArguments(in ConvGeometry g, int imageLength, int channels, int colCount, int colLength, int ldCol)
    {
        if (ldCol == 0) ldCol = colCount;
        int plane = g.Height * g.Width, rows = channels * g.KernelH * g.KernelW;
        if (imageLength < channels * plane) throw new ArgumentException($"image has {imageLength} elements; expected at least {channels * plane}.", "image");
        if (ldCol < colCount) throw new ArgumentException($"ldCol is {ldCol}; expected at least colCount ({colCount}).", nameof(ldCol));
        if (colLength < (long)(rows - 1) * ldCol + colCount) throw new ArgumentException($"col has {colLength} elements; expected at least {(long)(rows - 1) * ldCol + colCount}.", "col");
        return ldCol;
    }
}
