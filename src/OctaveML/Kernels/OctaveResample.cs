using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace OctaveML.Kernels;

/// <summary>
/// The resolution changes of an octave convolution, on one image's [C, H, W] planes: 2x2 average
/// pooling in ceil mode (each window averaged over the pixels it covers, so an HxW map becomes
/// ceil(H/2) x ceil(W/2)), nearest 2x upsampling cropped to a size and added in the same pass, and
/// the adjoints of both. Also the stride-1 im2col/col2im the octave GEMMs run on.
/// </summary>
internal static class OctaveResample
{
    /// <summary>y[c] = avgpool2x2_ceil(x[c]) for <paramref name="channels"/> planes of h x w.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Pool(ReadOnlySpan<float> x, int channels, int h, int w, Span<float> y)
    {
        int ho = (h + 1) / 2, wo = (w + 1) / 2, wPairs = w / 2;
        for (int c = 0; c < channels; c++)
        {
            ReadOnlySpan<float> xp = x.Slice(c * h * w, h * w);
            Span<float> yp = y.Slice(c * ho * wo, ho * wo);
            for (int i = 0; i < ho; i++)
            {
                ReadOnlySpan<float> a = xp.Slice(2 * i * w, w);
                Span<float> yr = yp.Slice(i * wo, wo);
                if (2 * i + 1 < h)
                {
                    ReadOnlySpan<float> b = xp.Slice((2 * i + 1) * w, w);
                    for (int j = 0; j < wPairs; j++)
                        yr[j] = (a[2 * j] + a[2 * j + 1] + b[2 * j] + b[2 * j + 1]) * 0.25f;
                    if (wo > wPairs) yr[wPairs] = (a[w - 1] + b[w - 1]) * 0.5f;
                }
                else
                {
                    for (int j = 0; j < wPairs; j++)
                        yr[j] = (a[2 * j] + a[2 * j + 1]) * 0.5f;
                    if (wo > wPairs) yr[wPairs] = a[w - 1];
                }
            }
        }
    }

    /// <summary>dx[c] += adjoint of <see cref="Pool"/> applied to dy[c] (dx is h x w, dy ceil-halved).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PoolBackwardAdd(ReadOnlySpan<float> dy, int channels, int h, int w, Span<float> dx)
    {
        int ho = (h + 1) / 2, wo = (w + 1) / 2;
        for (int c = 0; c < channels; c++)
        {
            ReadOnlySpan<float> dyp = dy.Slice(c * ho * wo, ho * wo);
            Span<float> dxp = dx.Slice(c * h * w, h * w);
            for (int r = 0; r < h; r++)
            {
                int i = r >> 1;
                float rowScale = 2 * i + 1 < h ? 0.5f : 1f;
                ReadOnlySpan<float> dyr = dyp.Slice(i * wo, wo);
                Span<float> dxr = dxp.Slice(r * w, w);
                int full = w & ~1;
                float s2 = rowScale * 0.5f;
                for (int col = 0; col < full; col += 2)
                {
                    float g = dyr[col >> 1] * s2;
                    dxr[col] += g;
                    dxr[col + 1] += g;
                }
                if (full < w) dxr[w - 1] += dyr[wo - 1] * rowScale;
            }
        }
    }

    /// <summary>
    /// y[c][i, j] += z[c][i / 2, j / 2] for i &lt; h, j &lt; w: nearest 2x upsampling of the zh x zw map z, cropped
    /// to h x w and added. z's planes are <paramref name="zStride"/> apart (0 = zh*zw).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void UpsampleAdd(ReadOnlySpan<float> z, int channels, int zh, int zw, Span<float> y, int h, int w, int zStride = 0)
    {
        if (zStride == 0) zStride = zh * zw;
        for (int c = 0; c < channels; c++)
        {
            ReadOnlySpan<float> zp = z.Slice(c * zStride, zh * zw);
            Span<float> yp = y.Slice(c * h * w, h * w);
            for (int i = 0; i < h; i++)
            {
                ReadOnlySpan<float> zr = zp.Slice((i >> 1) * zw, zw);
                Span<float> yr = yp.Slice(i * w, w);
                int full = w & ~1;
                for (int j = 0; j < full; j += 2)
                {
                    float v = zr[j >> 1];
                    yr[j] += v;
                    yr[j + 1] += v;
                }
                if (full < w) yr[w - 1] += zr[w >> 1];
            }
        }
    }

    /// <summary>
    /// dz = adjoint of <see cref="UpsampleAdd"/>: each dz element is the sum of the dy pixels its 2x2 block covers
    /// inside h x w (0 outside). dz's planes are <paramref name="zStride"/> apart (0 = zh*zw).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void UpsampleBackward(ReadOnlySpan<float> dy, int channels, int h, int w, Span<float> dz, int zh, int zw, int zStride = 0)
    {
        if (zStride == 0) zStride = zh * zw;
        for (int c = 0; c < channels; c++)
        {
            ReadOnlySpan<float> dyp = dy.Slice(c * h * w, h * w);
            Span<float> dzp = dz.Slice(c * zStride, zh * zw);
            dzp.Clear();
            for (int i = 0; i < h; i++)
            {
                ReadOnlySpan<float> dyr = dyp.Slice(i * w, w);
                Span<float> dzr = dzp.Slice((i >> 1) * zw, zw);
                int full = w & ~1;
                for (int j = 0; j < full; j += 2)
                    dzr[j >> 1] += dyr[j] + dyr[j + 1];
                if (full < w) dzr[w >> 1] += dyr[w - 1];
            }
        }
    }

    /// <summary>
    /// Stride-1 im2col of one image [channels, h, w] into col [channels*k*k, oh*ow] (row = (c, ky, kx)),
    /// zero padding <paramref name="pad"/>, dilation <paramref name="dil"/>; col's rows are <paramref name="ldCol"/>
    /// apart (0 = oh*ow), so several images can be unfolded side by side. Pointer loops with vector copies:
    /// rows are short (7 to 56 floats), so per-row span and memmove overheads cost more than the copy.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void Im2Col(ReadOnlySpan<float> x, int channels, int h, int w, int k, int pad, int dil, int oh, int ow, Span<float> col, int ldCol = 0)
    {
        int p = oh * ow;
        if (ldCol == 0) ldCol = p;
        CheckLengths(x.Length, channels * h * w, col.Length, (long)(channels * k * k - 1) * ldCol + p);
        fixed (float* px = x, pc = col)
        {
            if (oh == h && ow == w && Im2ColPlanes.Applies(k, 1, pad, dil) && Im2ColPlanes.Pays(w))
            {
                Im2ColPlanes.Unfold(px, channels, h, w, k, pad, dil, pc, ldCol);
                return;
            }
            for (int c = 0; c < channels; c++)
            {
                float* plane = px + (long)c * h * w;
                for (int ky = 0; ky < k; ky++)
                    for (int kx = 0; kx < k; kx++)
                    {
                        float* row = pc + (long)((c * k + ky) * k + kx) * ldCol;
                        int dx = kx * dil - pad;
                        int ox0 = Math.Clamp(-dx, 0, ow), ox1 = Math.Clamp(w - dx, ox0, ow), n = ox1 - ox0;
                        for (int oy = 0; oy < oh; oy++)
                        {
                            int iy = oy - pad + ky * dil;
                            float* dst = row + oy * ow;
                            if ((uint)iy >= (uint)h) { ShortRows.Clear(dst, ow); continue; }
                            ShortRows.Clear(dst, ox0);
                            ShortRows.Copy(plane + iy * w + ox0 + dx, dst + ox0, n);
                            ShortRows.Clear(dst + ox1, ow - ox1);
                        }
                    }
            }
        }
    }

    /// <summary>Adjoint of <see cref="Im2Col"/>: dx = col2im(col), overwriting dx.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void Col2Im(ReadOnlySpan<float> col, int channels, int h, int w, int k, int pad, int dil, int oh, int ow, Span<float> dx, int ldCol = 0)
    {
        int p = oh * ow;
        if (ldCol == 0) ldCol = p;
        CheckLengths(dx.Length, channels * h * w, col.Length, (long)(channels * k * k - 1) * ldCol + p);
        dx.Slice(0, channels * h * w).Clear();
        fixed (float* pd = dx, pc = col)
        {
            if (oh == h && ow == w && Im2ColPlanes.Applies(k, 1, pad, dil) && Im2ColPlanes.Pays(w))
            {
                Im2ColPlanes.Fold(pc, ldCol, channels, h, w, k, pad, dil, pd);
                return;
            }
            for (int c = 0; c < channels; c++)
            {
                float* plane = pd + (long)c * h * w;
                for (int ky = 0; ky < k; ky++)
                    for (int kx = 0; kx < k; kx++)
                    {
                        float* row = pc + (long)((c * k + ky) * k + kx) * ldCol;
                        int dxo = kx * dil - pad;
                        int ox0 = Math.Clamp(-dxo, 0, ow), ox1 = Math.Clamp(w - dxo, ox0, ow), n = ox1 - ox0;
                        if (n <= 0) continue;
                        int oy0 = Math.Max(0, pad - ky * dil), oy1 = Math.Min(oh, h + pad - ky * dil);
                        for (int oy = oy0; oy < oy1; oy++)
                            ShortRows.AddTo(row + oy * ow + ox0, plane + (oy - pad + ky * dil) * w + ox0 + dxo, n);
                    }
            }
        }
    }

    private static void CheckLengths(int imageLength, long imageNeeded, int colLength, long colNeeded)
    {
        if (imageLength < imageNeeded) throw new ArgumentException($"the image has {imageLength} elements; expected at least {imageNeeded}.");
        if (colLength < colNeeded) throw new ArgumentException($"the column matrix has {colLength} elements; expected at least {colNeeded}.");
    }
}
