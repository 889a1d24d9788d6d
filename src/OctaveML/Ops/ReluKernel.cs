using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using OctaveML.Threading;

namespace OctaveML.Ops;

/// <summary>
/// The gradient of the rectified linear unit y = max(x, 0), whose forward runs fused into BN
/// (<see cref="BatchNorm2dKernel"/>) and the residual sum (<see cref="ElementwiseKernel.AddRelu"/>).
/// </summary>
public static unsafe class ReluKernel
{
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
