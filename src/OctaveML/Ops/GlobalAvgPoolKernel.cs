using System.Runtime.CompilerServices;
using OctaveML.Threading;

namespace OctaveML.Ops;

/// <summary>
/// Global average pooling, [N, C, H, W] -> [N, C]: the mean of every plane, as
/// F.adaptive_avg_pool2d(t, 1).flatten(1), the step before the classifier.
/// </summary>
public static unsafe class GlobalAvgPoolKernel
{
    /// <summary>y[p] = mean of plane p of x ([planes, spatial]); y has <paramref name="planes"/> elements.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Forward(int planes, int spatial, ReadOnlySpan<float> x, Span<float> y)
    {
        Check(planes, spatial, x.Length, y.Length, nameof(x), nameof(y));
        fixed (float* px = x, py = y)
        {
            float* xp = px, yp = py;
            Chunked.ForPlanes(planes, spatial, (p0, p1) =>
            {
                for (int p = p0; p < p1; p++)
                    yp[p] = PlaneMath.Sum(xp + (long)p * spatial, spatial) / spatial;
            });
        }
    }

    /// <summary>dx[p, :] (+)= dy[p] / spatial.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Backward(int planes, int spatial, ReadOnlySpan<float> dy, Span<float> dx, bool accumulate = false)
    {
        Check(planes, spatial, dx.Length, dy.Length, nameof(dx), nameof(dy));
        fixed (float* pdy = dy, pdx = dx)
        {
            float* dyp = pdy, dxp = pdx;
            Chunked.ForPlanes(planes, spatial, (p0, p1) =>
            {
                for (int p = p0; p < p1; p++)
                {
                    var d = new Span<float>(dxp + (long)p * spatial, spatial);
                    float g = dyp[p] / spatial;
                    if (accumulate) System.Numerics.Tensors.TensorPrimitives.Add(d, g, d);
                    else d.Fill(g);
                }
            });
        }
    }

    private static void Check(int planes, int spatial, int inLength, int outLength, string inName, string outName)
    {
        if (planes < 1) throw new ArgumentOutOfRangeException(nameof(planes), planes, "planes (N*C) must be at least 1.");
        if (spatial < 1) throw new ArgumentOutOfRangeException(nameof(spatial), spatial, "spatial (H*W) must be at least 1.");
        long n = (long)planes * spatial;
        if (inLength != n)
            throw new ArgumentException($"{inName} has {inLength} elements; expected {n} (planes {planes} x spatial {spatial}).", inName);
        if (outLength != planes)
            throw new ArgumentException($"{outName} has {outLength} elements; expected {planes} (one per plane).", outName);
    }
}
