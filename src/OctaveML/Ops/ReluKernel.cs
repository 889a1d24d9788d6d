using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using OctaveML.Threading;

namespace OctaveML.Ops;

/// <summary>The rectified linear unit, y = max(x, 0), and its gradient.</summary>
public static unsafe class ReluKernel
{
    /// <summary>y = max(x, 0) element-wise; y may be x. NaN stays NaN, as in PyTorch.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Forward(ReadOnlySpan<float> x, Span<float> y)
    {
        ElementwiseKernel.CheckSame(x.Length, y.Length, nameof(y));
        fixed (float* px = x, py = y)
        {
            float* xp = px, yp = py;
            Chunked.ForRange(x.Length, (s, e) =>
                TensorPrimitives.Max(new ReadOnlySpan<float>(xp + s, e - s), 0f, new Span<float>(yp + s, e - s)));
        }
    }

    /// <summary>
    /// dx = dy where the mask is positive, else 0 (dx += that with <paramref name="accumulate"/>;
    /// dx may be dy). The mask is the forward output y (or the input x: both are positive at the
    /// same places).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Backward(ReadOnlySpan<float> mask, ReadOnlySpan<float> dy, Span<float> dx, bool accumulate = false)
    {
        ElementwiseKernel.CheckSame(mask.Length, dy.Length, nameof(dy));
        ElementwiseKernel.CheckSame(mask.Length, dx.Length, nameof(dx));
        fixed (float* pm = mask, pdy = dy, pdx = dx)
        {
            float* mp = pm, dyp = pdy, dxp = pdx;
            Chunked.ForRange(mask.Length, (s, e) => PlaneMath.MaskPositive(mp + s, dyp + s, dxp + s, e - s, accumulate));
        }
    }
}
