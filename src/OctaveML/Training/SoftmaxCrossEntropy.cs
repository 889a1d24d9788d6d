namespace OctaveML.Training;

// Interim: the trainer's loss until the ops kernel (Kernels.CrossEntropyKernel, same signature) lands in main.
internal static class SoftmaxCrossEntropy
{
    /// <summary>
    /// Mean of -sum_k q_k log softmax(z)_k with q = (1 - s) onehot + s / classes (torch's
    /// cross_entropy with label_smoothing); writes (softmax - q) / batch into gradLogits unless empty.
    /// </summary>
    public static float ForwardBackward(int batch, int classes, ReadOnlySpan<float> logits, ReadOnlySpan<int> labels,
        Span<float> gradLogits, float labelSmoothing = 0f)
    {
        if (logits.Length != batch * classes) throw new ArgumentException($"logits has {logits.Length} elements, expected {batch * classes}.", nameof(logits));
        if (labels.Length != batch) throw new ArgumentException($"labels has {labels.Length} elements, expected {batch}.", nameof(labels));
        double off = labelSmoothing / classes, on = 1 - labelSmoothing + off;
        double total = 0;
        for (int n = 0; n < batch; n++)
        {
            var z = logits.Slice(n * classes, classes);
            int y = labels[n];
            if ((uint)y >= (uint)classes)
                throw new ArgumentOutOfRangeException(nameof(labels), y, $"labels[{n}] is {y}; expected a class index in [0, {classes}).");
            float max = float.NegativeInfinity;
            foreach (float v in z) max = MathF.Max(max, v);
            double sum = 0, zsum = 0;
            foreach (float v in z) { sum += Math.Exp(v - max); zsum += v; }
            double lse = max + Math.Log(sum);
            total += lse - (1 - labelSmoothing) * z[y] - off * zsum;
            if (gradLogits.IsEmpty) continue;
            var g = gradLogits.Slice(n * classes, classes);
            for (int k = 0; k < classes; k++)
                g[k] = (float)((Math.Exp(z[k] - lse) - (k == y ? on : off)) / batch);
        }
        return (float)(total / batch);
    }
}
