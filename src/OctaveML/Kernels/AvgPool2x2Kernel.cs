using System.Runtime.CompilerServices;

namespace OctaveML.Kernels;

/// <summary>
/// 2x2 average pooling with stride 2 in ceil mode, padding 0: an H x W plane becomes
/// ceil(H/2) x ceil(W/2), each output the mean of the input pixels its window covers (4, or 2 and
/// 1 on the last row/column of odd sizes), exactly torch.nn.functional.avg_pool2d(t, 2, 2,
/// ceil_mode=True). For even sizes this is plain 2x2 average pooling. The octave layer's
/// high-to-low path and its stride-2 downsampling.
/// </summary>
public static unsafe class AvgPool2x2Kernel
{
    /// <summary>Output size of one dimension: ceil(size / 2).</summary>
    public static int OutSize(int size) => (size + 1) >> 1;

    /// <summary>
    /// y[p, i, j] = mean of x[p, 2i..2i+1, 2j..2j+1] inside the plane, for every plane p of
    /// <paramref name="planes"/> (= N*C). x is [planes, height, width], y is [planes, ceil(h/2), ceil(w/2)];
    /// with <paramref name="accumulate"/> the result is added to y.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Forward(int planes, int height, int width, ReadOnlySpan<float> x, Span<float> y, bool accumulate = false)
    {
        Check(planes, height, width, x.Length, y.Length, nameof(x), nameof(y));
        int oh = OutSize(height), ow = OutSize(width);
        fixed (float* px = x, py = y)
        {
            float* xp = px, yp = py;
            Chunked.ForPlanes(planes, (long)height * width, (p0, p1) =>
            {
                for (int p = p0; p < p1; p++)
                {
                    float* xs = xp + (long)p * height * width;
                    float* ys = yp + (long)p * oh * ow;
                    for (int i = 0; i < oh; i++)
                    {
                        float* r0 = xs + (long)2 * i * width;
                        bool two = 2 * i + 1 < height;
                        RowPairs.SumPairs(r0, two ? r0 + width : null, ys + (long)i * ow, width,
                            two ? 0.25f : 0.5f, two ? 0.5f : 1f, accumulate);
                    }
                }
            });
        }
    }

    /// <summary>
    /// dx[p, h, w] = dy[p, h/2, w/2] / (pixels covered by that window); with <paramref name="accumulate"/>
    /// it is added to dx. dy is [planes, ceil(h/2), ceil(w/2)], dx is [planes, height, width].
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Backward(int planes, int height, int width, ReadOnlySpan<float> dy, Span<float> dx, bool accumulate = false)
    {
        Check(planes, height, width, dx.Length, dy.Length, nameof(dx), nameof(dy));
        int oh = OutSize(height), ow = OutSize(width);
        fixed (float* pdy = dy, pdx = dx)
        {
            float* dyp = pdy, dxp = pdx;
            Chunked.ForPlanes(planes, (long)height * width, (p0, p1) =>
            {
                for (int p = p0; p < p1; p++)
                {
                    float* gs = dyp + (long)p * oh * ow;
                    float* ds = dxp + (long)p * height * width;
                    for (int r = 0; r < height; r++)
                    {
                        int i = r >> 1;
                        bool two = 2 * i + 1 < height;
                        RowPairs.Duplicate(gs + (long)i * ow, ds + (long)r * width, width,
                            two ? 0.25f : 0.5f, two ? 0.5f : 1f, accumulate);
                    }
                }
            });
        }
    }

    private static void Check(int planes, int height, int width, int inLength, int outLength, string inName, string outName)
    {
        if (planes < 1) throw new ArgumentOutOfRangeException(nameof(planes), planes, "planes (N*C) must be at least 1.");
        if (height < 1) throw new ArgumentOutOfRangeException(nameof(height), height, "height must be at least 1.");
        if (width < 1) throw new ArgumentOutOfRangeException(nameof(width), width, "width must be at least 1.");
        long n = (long)planes * height * width;
        if (inLength != n)
            throw new ArgumentException($"{inName} has {inLength} elements; expected {n} (planes {planes} x {height} x {width}).", inName);
        long m = (long)planes * OutSize(height) * OutSize(width);
        if (outLength != m)
            throw new ArgumentException($"{outName} has {outLength} elements; expected {m} (planes {planes} x {OutSize(height)} x {OutSize(width)}).", outName);
    }
}
