using System.Runtime.CompilerServices;

namespace OctaveML.Ops;

/// <summary>
/// Softmax cross-entropy with optional label smoothing, mean over the batch, exactly as
/// torch.nn.functional.cross_entropy(logits, labels, label_smoothing=s): the target of sample n is
/// q = (1 - s) * onehot(label) + s / classes, the loss is mean_n sum_k -q_k log p_nk, and its
/// gradient with respect to the logits is (p - q) / batch.
/// </summary>
public static class CrossEntropyKernel
{
    /// <summary>
    /// Returns the mean loss; writes d(loss)/d(logits) into <paramref name="gradLogits"/> (skipped when
    /// empty; may alias the logits) and the softmax probabilities into <paramref name="probabilities"/>
    /// (skipped when empty). Labels are class indices in [0, classes).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float ForwardBackward(int batch, int classes, ReadOnlySpan<float> logits, ReadOnlySpan<int> labels,
        Span<float> gradLogits, float labelSmoothing = 0f, Span<float> probabilities = default)
    {
        SoftmaxKernel.Check(batch, classes, logits.Length, nameof(logits));
        if (labels.Length != batch)
            throw new ArgumentException($"labels has {labels.Length} elements; expected {batch} (one per sample).", nameof(labels));
        if (!gradLogits.IsEmpty) SoftmaxKernel.Check(batch, classes, gradLogits.Length, nameof(gradLogits));
        if (!probabilities.IsEmpty) SoftmaxKernel.Check(batch, classes, probabilities.Length, nameof(probabilities));
        if (!(labelSmoothing >= 0 && labelSmoothing <= 1))
            throw new ArgumentOutOfRangeException(nameof(labelSmoothing), labelSmoothing, "labelSmoothing must be in [0, 1].");
        for (int n = 0; n < batch; n++)
            if ((uint)labels[n] >= (uint)classes)
                throw new ArgumentOutOfRangeException(nameof(labels), labels[n], $"labels[{n}] is {labels[n]}; expected a class index in [0, {classes}).");

        Span<float> p = classes <= 1024 ? stackalloc float[classes] : new float[classes];
        double total = 0;
        double offTarget = labelSmoothing / classes;
        double onTarget = 1 - labelSmoothing + offTarget;
        float invBatch = 1f / batch;
        for (int n = 0; n < batch; n++)
        {
            ReadOnlySpan<float> z = logits.Slice(n * classes, classes);
            double lse = SoftmaxKernel.Row(z, p);
            int y = labels[n];
            // -log p_k = lse - z_k; the smoothed target spreads s/classes over every class.
            double nll = lse - z[y];
            double loss = (1 - labelSmoothing) * nll;
            if (labelSmoothing > 0)
            {
                double sumZ = 0;
                foreach (float v in z) sumZ += v;
                loss += labelSmoothing * (lse - sumZ / classes);
            }
            total += loss;
            if (!probabilities.IsEmpty) p.CopyTo(probabilities.Slice(n * classes, classes));
            if (!gradLogits.IsEmpty)
            {
                Span<float> g = gradLogits.Slice(n * classes, classes);
                for (int k = 0; k < classes; k++)
                    g[k] = (float)(p[k] - (k == y ? onTarget : offTarget)) * invBatch;
            }
        }
        return (float)(total / batch);
    }
}
