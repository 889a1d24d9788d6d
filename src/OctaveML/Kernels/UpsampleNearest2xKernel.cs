using System.Runtime.CompilerServices;

namespace OctaveML.Kernels;

/// <summary>
/// Nearest-neighbour 2x upsampling cropped to a target size, as
/// <c>F.interpolate(t, scale_factor=2, mode='nearest')[..., :outH, :outW]</c>: y[i, j] = x[i/2, j/2].
/// The octave layer's low-to-high path, whose result is added to the high-to-high path (hence the
/// accumulate flag). Backward sums each 2x2 block of the output gradient that survives the crop.
/// </summary>
public static unsafe class UpsampleNearest2xKernel
{
    /// <summary>
    /// y[p, i, j] (+)= x[p, i/2, j/2] for i &lt; <paramref name="outHeight"/>, j &lt; <paramref name="outWidth"/>.
    /// x is [planes, height, width]; the output size must be at most 2x the input size.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Forward(int planes, int height, int width, int outHeight, int outWidth,
        ReadOnlySpan<float> x, Span<float> y, bool accumulate = false)
    {
        Check(planes, height, width, outHeight, outWidth, x.Length, y.Length, nameof(x), nameof(y));
        fixed (float* px = x, py = y)
        {
            float* xp = px, yp = py;
            Chunked.ForPlanes(planes, (long)outHeight * outWidth, (p0, p1) =>
            {
                for (int p = p0; p < p1; p++)
                {
                    float* xs = xp + (long)p * height * width;
                    float* ys = yp + (long)p * outHeight * outWidth;
                    for (int i = 0; i < outHeight; i++)
                        RowPairs.Duplicate(xs + (long)(i >> 1) * width, ys + (long)i * outWidth, outWidth, 1f, 1f, accumulate);
                }
            });
        }
    }

    /// <summary>
    /// dx[p, i, j] (+)= sum of dy[p, 2i..2i+1, 2j..2j+1] inside the output size. dy is
    /// [planes, outHeight, outWidth], dx is [planes, height, width].
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Backward(int planes, int height, int width, int outHeight, int outWidth,
        ReadOnlySpan<float> dy, Span<float> dx, bool accumulate = false)
    {
        Check(planes, height, width, outHeight, outWidth, dx.Length, dy.Length, nameof(dx), nameof(dy));
        int covered = (outWidth + 1) >> 1; // input columns that receive gradient
        fixed (float* pdy = dy, pdx = dx)
        {
            float* dyp = pdy, dxp = pdx;
            Chunked.ForPlanes(planes, (long)outHeight * outWidth, (p0, p1) =>
            {
                for (int p = p0; p < p1; p++)
                {
                    float* gs = dyp + (long)p * outHeight * outWidth;
                    float* ds = dxp + (long)p * height * width;
                    for (int i = 0; i < height; i++)
                    {
                        float* drow = ds + (long)i * width;
                        int r = 2 * i;
                        if (r < outHeight)
                        {
                            float* g0 = gs + (long)r * outWidth;
                            RowPairs.SumPairs(g0, r + 1 < outHeight ? g0 + outWidth : null, drow, outWidth, 1f, 1f, accumulate);
                        }
                        if (!accumulate)
                        {
                            // Rows and columns cut away by the crop get no gradient.
                            int from = r < outHeight ? covered : 0;
                            new Span<float>(drow + from, width - from).Clear();
                        }
                    }
                }
            });
        }
    }

    private static void Check(int planes, int height, int width, int outHeight, int outWidth, int inLength, int outLength, string inName, string outName)
    {
        if (planes < 1) throw new ArgumentOutOfRangeException(nameof(planes), planes, "planes (N*C) must be at least 1.");
        if (height < 1) throw new ArgumentOutOfRangeException(nameof(height), height, "height must be at least 1.");
        if (width < 1) throw new ArgumentOutOfRangeException(nameof(width), width, "width must be at least 1.");
        if (outHeight < 1 || outHeight > 2 * height)
            throw new ArgumentOutOfRangeException(nameof(outHeight), outHeight, $"outHeight must be in [1, {2 * height}] (at most twice height {height}).");
        if (outWidth < 1 || outWidth > 2 * width)
            throw new ArgumentOutOfRangeException(nameof(outWidth), outWidth, $"outWidth must be in [1, {2 * width}] (at most twice width {width}).");
        long n = (long)planes * height * width;
        if (inLength != n)
            throw new ArgumentException($"{inName} has {inLength} elements; expected {n} (planes {planes} x {height} x {width}).", inName);
        long m = (long)planes * outHeight * outWidth;
        if (outLength != m)
            throw new ArgumentException($"{outName} has {outLength} elements; expected {m} (planes {planes} x {outHeight} x {outWidth}).", outName);
    }
}
