using System.Runtime.CompilerServices;

namespace OctaveML.Ops;

/// <summary>Row-wise softmax over [batch, classes] logits, stable (the row maximum is subtracted first).</summary>
public static class SoftmaxKernel
{
    /// <summary>probabilities[n, k] = exp(z[n, k] - max_n) / sum_j exp(z[n, j] - max_n); may alias the logits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Forward(int batch, int classes, ReadOnlySpan<float> logits, Span<float> probabilities)
    {
        Check(batch, classes, logits.Length, nameof(logits));
        Check(batch, classes, probabilities.Length, nameof(probabilities));
        for (int n = 0; n < batch; n++)
            Row(logits.Slice(n * classes, classes), probabilities.Slice(n * classes, classes));
    }

    /// <summary>Softmax of one row; returns log(sum exp(z - max)) + max, the row's log-sum-exp.</summary>
    internal static double Row(ReadOnlySpan<float> z, Span<float> p)
    {
        float max = float.NegativeInfinity;
        foreach (float v in z) max = MathF.Max(max, v);
        double sum = 0;
        for (int k = 0; k < z.Length; k++)
        {
            float e = MathF.Exp(z[k] - max);
            p[k] = e;
            sum += e;
        }
        float inv = (float)(1.0 / sum);
        for (int k = 0; k < z.Length; k++) p[k] *= inv;
        return Math.Log(sum) + max;
    }

    internal static void Check(int batch, int classes, int length, string name)
    {
        if (batch < 1) throw new ArgumentOutOfRangeException(nameof(batch), batch, "batch must be at least 1.");
        if (classes < 1) throw new ArgumentOutOfRangeException(nameof(classes), classes, "classes must be at least 1.");
        if (length != (long)batch * classes)
            throw new ArgumentException($"{name} has {length} elements; expected {(long)batch * classes} (batch {batch} x classes {classes}).", name);
    }
}
