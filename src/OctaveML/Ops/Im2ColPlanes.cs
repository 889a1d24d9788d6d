using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace OctaveML.Ops;

/// <summary>
/// Whole-plane im2col and col2im for stride-1 "same" convolutions (2 * pad = (k - 1) * dil, so the output
/// map is the input's size). Row (c, ky, kx) of the column matrix is then plane c shifted by
/// delta = (ky*dil - pad) * W + (kx*dil - pad), with the pixels whose source column falls outside the
/// map zeroed: one masked vector copy over the plane instead of a copy per output row, which on 7 to 14 px
/// maps cost more in call overhead than the data moved. Same values and, for col2im, the same additions
/// in the same order as <see cref="Im2Col"/> (masked lanes add +0, which leaves any value but -0 unchanged).
/// </summary>
internal static class Im2ColPlanes
{
    /// <summary>Whether a geometry is a stride-1 "same" convolution these routines handle.</summary>
    public static bool Applies(int k, int stride, int pad, int dil) => stride == 1 && 2 * pad == (k - 1) * dil;

    /// <summary>
    /// Whether the plane routines beat row copies for maps this wide: measured 2-10x faster on 7-28 px maps,
    /// 0.7-0.9x on 56 px ones, whose rows are long enough for plain vector copies.
    /// </summary>
    public static bool Pays(int width) => width <= MaxWidth;

    private const int MaxWidth = 32;

    /// <summary>Each thread's masks by geometry: a network has a handful of map sizes, and building them per call cost 3% of a step.</summary>
    [ThreadStatic] private static Dictionary<(int H, int W, int K, int Pad, int Dil), int[]>? t_masks;

    /// <summary>Per kx, an int per plane pixel: -1 where the shifted source column lies inside the map, else 0.</summary>
    private static int[] ColumnMasks(int h, int w, int k, int pad, int dil)
    {
        var cache = t_masks ??= new();
        if (cache.TryGetValue((h, w, k, pad, dil), out var cached)) return cached;
        int p = h * w;
        var m = new int[k * p];
        for (int kx = 0; kx < k; kx++)
        {
            int dx = kx * dil - pad;
            for (int ox = 0; ox < w; ox++)
            {
                int v = (uint)(ox + dx) < (uint)w ? -1 : 0;
                for (int oy = 0; oy < h; oy++) m[kx * p + oy * w + ox] = v;
            }
        }
        cache[(h, w, k, pad, dil)] = m;
        return m;
    }

    /// <summary>col rows (c, ky, kx), <paramref name="ldCol"/> apart, from image planes [channels, h, w].</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void Unfold(float* image, int channels, int h, int w, int k, int pad, int dil, float* col, long ldCol)
    {
        int p = h * w;
        int[] masks = ColumnMasks(h, w, k, pad, dil);
        fixed (int* pm = masks)
        {
            for (int c = 0; c < channels; c++)
            {
                float* src = image + (long)c * p;
                for (int ky = 0; ky < k; ky++)
                    for (int kx = 0; kx < k; kx++)
                    {
                        float* dst = col + ((c * k + ky) * k + kx) * ldCol;
                        int dy = ky * dil - pad, delta = dy * w + (kx * dil - pad);
                        int* mask = pm + kx * p;
                        // Output rows whose source row is outside the map are zero.
                        int jLo = Math.Clamp(-dy, 0, h) * w, jHi = Math.Clamp(h - dy, 0, h) * w;
                        jHi = Math.Max(jHi, jLo);
                        ShortRows.Clear(dst, jLo);
                        ShortRows.Clear(dst + jHi, p - jHi);
                        // Vector loads must stay inside the plane: [vLo, vHi) are the j whose 16 (or 8) lanes do.
                        int j = jLo, vLo = Math.Max(jLo, -delta), vHi = Math.Min(jHi, p - delta);
                        for (; j < Math.Min(vLo, jHi); j++) dst[j] = mask[j] != 0 ? src[j + delta] : 0f;
                        if (Vector512.IsHardwareAccelerated)
                            for (; j + 16 <= vHi; j += 16)
                                Vector512.Store(Vector512.ConditionalSelect(Vector512.Load(mask + j).AsSingle(), Vector512.Load(src + j + delta), Vector512<float>.Zero), dst + j);
                        for (; j + 8 <= vHi; j += 8)
                            Vector256.Store(Vector256.ConditionalSelect(Vector256.Load(mask + j).AsSingle(), Vector256.Load(src + j + delta), Vector256<float>.Zero), dst + j);
                        for (; j < jHi; j++) dst[j] = mask[j] != 0 ? src[j + delta] : 0f;
                    }
            }
        }
    }

    /// <summary>Adjoint of <see cref="Unfold"/>: adds every column entry into the pixel it was read from (image is added to).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void Fold(float* col, long ldCol, int channels, int h, int w, int k, int pad, int dil, float* image)
    {
        int p = h * w;
        int[] masks = ColumnMasks(h, w, k, pad, dil);
        fixed (int* pm = masks)
        {
            for (int c = 0; c < channels; c++)
            {
                float* dstPlane = image + (long)c * p;
                for (int ky = 0; ky < k; ky++)
                    for (int kx = 0; kx < k; kx++)
                    {
                        float* src = col + ((c * k + ky) * k + kx) * ldCol;
                        int dy = ky * dil - pad, delta = dy * w + (kx * dil - pad);
                        int* mask = pm + kx * p;
                        int jLo = Math.Clamp(-dy, 0, h) * w, jHi = Math.Max(Math.Clamp(h - dy, 0, h) * w, jLo);
                        int j = jLo, vLo = Math.Max(jLo, -delta), vHi = Math.Min(jHi, p - delta);
                        for (; j < Math.Min(vLo, jHi); j++) if (mask[j] != 0) dstPlane[j + delta] += src[j];
                        if (Vector512.IsHardwareAccelerated)
                            for (; j + 16 <= vHi; j += 16)
                            {
                                float* d = dstPlane + j + delta;
                                var add = Vector512.ConditionalSelect(Vector512.Load(mask + j).AsSingle(), Vector512.Load(src + j), Vector512<float>.Zero);
                                Vector512.Store(Vector512.Load(d) + add, d);
                            }
                        for (; j + 8 <= vHi; j += 8)
                        {
                            float* d = dstPlane + j + delta;
                            var add = Vector256.ConditionalSelect(Vector256.Load(mask + j).AsSingle(), Vector256.Load(src + j), Vector256<float>.Zero);
                            Vector256.Store(Vector256.Load(d) + add, d);
                        }
                        for (; j < jHi; j++) if (mask[j] != 0) dstPlane[j + delta] += src[j];
                    }
            }
        }
    }
}
