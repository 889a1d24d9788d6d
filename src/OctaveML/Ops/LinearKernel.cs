using System.Runtime.CompilerServices;
using OctaveML.Blas;

namespace OctaveML.Ops;

/// <summary>
/// The fully connected layer, y = x W^T + b as torch.nn.Linear: x is [batch, in], W is [out, in],
/// b is [out] (or empty for no bias), y is [batch, out]. Products go through <see cref="Gemm.Sgemm"/>.
/// </summary>
public static class LinearKernel
{
    /// <summary>y = x W^T + b (added to y with <paramref name="accumulate"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Forward(int batch, int inFeatures, int outFeatures,
        ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> y, bool accumulate = false)
    {
        Check(batch, inFeatures, outFeatures, x.Length, weight.Length, bias.Length, y.Length, nameof(x), nameof(y), nameof(bias));
        Gemm.Sgemm(false, true, batch, outFeatures, inFeatures, 1f, x, inFeatures, weight, inFeatures,
            accumulate ? 1f : 0f, y, outFeatures);
        if (!bias.IsEmpty)
            for (int n = 0; n < batch; n++)
                System.Numerics.Tensors.TensorPrimitives.Add(y.Slice(n * outFeatures, outFeatures), bias, y.Slice(n * outFeatures, outFeatures));
    }

    /// <summary>
    /// Backward: dx = dy W (written, or added with <paramref name="accumulate"/>; pass an empty dx
    /// to skip it, e.g. for the first layer), dW += dy^T x, db += column sums of dy (skipped when
    /// <paramref name="dbias"/> is empty).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Backward(int batch, int inFeatures, int outFeatures,
        ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> dy,
        Span<float> dx, Span<float> dweight, Span<float> dbias, bool accumulate = false)
    {
        Check(batch, inFeatures, outFeatures, x.Length, weight.Length, dbias.Length, dy.Length, nameof(x), nameof(dy), nameof(dbias));
        if (dweight.Length != weight.Length)
            throw new ArgumentException($"dweight has {dweight.Length} elements; expected {weight.Length} (out {outFeatures} x in {inFeatures}).", nameof(dweight));
        if (!dx.IsEmpty)
        {
            if (dx.Length != x.Length)
                throw new ArgumentException($"dx has {dx.Length} elements; expected {x.Length} (batch {batch} x in {inFeatures}).", nameof(dx));
            Gemm.Sgemm(false, false, batch, inFeatures, outFeatures, 1f, dy, outFeatures, weight, inFeatures,
                accumulate ? 1f : 0f, dx, inFeatures);
        }
        Gemm.Sgemm(true, false, outFeatures, inFeatures, batch, 1f, dy, outFeatures, x, inFeatures, 1f, dweight, inFeatures);
        if (!dbias.IsEmpty)
            for (int n = 0; n < batch; n++)
                System.Numerics.Tensors.TensorPrimitives.Add(dbias, dy.Slice(n * outFeatures, outFeatures), dbias);
    }

    private static void Check(int batch, int inFeatures, int outFeatures, int xLength, int wLength, int bLength, int yLength,
        string xName, string yName, string bName)
    {
        if (batch < 1) throw new ArgumentOutOfRangeException(nameof(batch), batch, "batch must be at least 1.");
        if (inFeatures < 1) throw new ArgumentOutOfRangeException(nameof(inFeatures), inFeatures, "inFeatures must be at least 1.");
        if (outFeatures < 1) throw new ArgumentOutOfRangeException(nameof(outFeatures), outFeatures, "outFeatures must be at least 1.");
        if (xLength != (long)batch * inFeatures)
            throw new ArgumentException($"{xName} has {xLength} elements; expected {(long)batch * inFeatures} (batch {batch} x in {inFeatures}).", xName);
        if (wLength != (long)outFeatures * inFeatures)
            throw new ArgumentException($"weight has {wLength} elements; expected {(long)outFeatures * inFeatures} (out {outFeatures} x in {inFeatures}).", "weight");
        if (bLength != 0 && bLength != outFeatures)
            throw new ArgumentException($"{bName} has {bLength} elements; expected {outFeatures} (one per output) or none.", bName);
        if (yLength != (long)batch * outFeatures)
            throw new ArgumentException($"{yName} has {yLength} elements; expected {(long)batch * outFeatures} (batch {batch} x out {outFeatures}).", yName);
    }
}
