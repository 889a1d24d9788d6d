using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using OctaveML.Threading;

namespace OctaveML.Ops;

/// <summary>
/// Element-wise sums used by residual blocks and the octave layer's path merging:
/// out = a + b, dst += src, and the fused out = max(a + b, 0) whose gradient is
/// <see cref="ReluKernel.Backward"/> applied to both inputs.
/// </summary>
public static unsafe class ElementwiseKernel
{
    /// <summary>y = a + b; y may be a or b.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Add(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> y)
    {
        CheckSame(a.Length, b.Length, nameof(b));
        CheckSame(a.Length, y.Length, nameof(y));
        fixed (float* pa = a, pb = b, py = y)
        {
            float* ap = pa, bp = pb, yp = py;
            Chunked.ForRange(a.Length, (s, e) => TensorPrimitives.Add(
                new ReadOnlySpan<float>(ap + s, e - s), new ReadOnlySpan<float>(bp + s, e - s), new Span<float>(yp + s, e - s)));
        }
    }

    /// <summary>dst += src.</summary>
    public static void AddInPlace(Span<float> dst, ReadOnlySpan<float> src) => Add(dst, src, dst);

    /// <summary>
    /// y = max(a + b, 0), the residual merge; y may be a or b. Backward: the gradient of both a and b
    /// is <see cref="ReluKernel.Backward"/>(y, dy, ...).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AddRelu(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> y)
    {
        CheckSame(a.Length, b.Length, nameof(b));
        CheckSame(a.Length, y.Length, nameof(y));
        fixed (float* pa = a, pb = b, py = y)
        {
            float* ap = pa, bp = pb, yp = py;
            Chunked.ForRange(a.Length, (s, e) => PlaneMath.AddRelu(ap + s, bp + s, yp + s, e - s));
        }
    }

    internal static void CheckSame(int expected, int actual, string name)
    {
        if (actual != expected)
            throw new ArgumentException($"{name} has {actual} elements; expected {expected} (the same as the input).", name);
    }
}
