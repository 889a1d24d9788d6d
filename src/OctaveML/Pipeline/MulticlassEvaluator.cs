namespace OctaveML.Pipeline;

/// <summary>
/// Computes <see cref="MulticlassClassificationMetrics"/> from labels and score vectors, as ML.NET's
/// multiclass evaluator does. Kept apart from data views so its definitions can be tested by hand.
/// </summary>
internal static class MulticlassEvaluator
{
    /// <summary>ML.NET's clip of the true-class probability before the log.</summary>
    public const double Epsilon = 1e-15;

    /// <summary>
    /// <paramref name="labels"/>[i] is the 0-based class of instance i (or -1 to skip it);
    /// <paramref name="scores"/>[i] its probability per class (length <paramref name="classes"/>).
    /// </summary>
    public static MulticlassClassificationMetrics Compute(IReadOnlyList<int> labels, IReadOnlyList<float[]> scores, int classes,
        IReadOnlyList<string> classNames, int topKPredictionCount = 0)
    {
        if (classes < 1) throw new ArgumentOutOfRangeException(nameof(classes), classes, "classes must be at least 1.");
        if (topKPredictionCount < 0) throw new ArgumentOutOfRangeException(nameof(topKPredictionCount), topKPredictionCount, "topKPredictionCount must be >= 0.");
        if (labels.Count != scores.Count) throw new ArgumentException($"{labels.Count} labels but {scores.Count} score vectors.", nameof(scores));
        int k = topKPredictionCount;
        var confusion = new double[classes][];
        for (int c = 0; c < classes; c++) confusion[c] = new double[classes];
        var classCount = new double[classes];
        var classLogLoss = new double[classes];
        var rankHits = new double[Math.Max(k, 0)];
        double n = 0, correct = 0, logLoss = 0;
        for (int i = 0; i < labels.Count; i++)
        {
            int label = labels[i];
            if (label < 0) continue;
            if (label >= classes) throw new ArgumentException($"instance {i} has class {label}, outside [0, {classes}).", nameof(labels));
            var s = scores[i];
            if (s.Length != classes) throw new ArgumentException($"instance {i} has {s.Length} scores; expected {classes}.", nameof(scores));
            int predicted = 0;
            for (int c = 1; c < classes; c++) if (s[c] > s[predicted]) predicted = c;
            // Rank of the true class: classes scoring higher, plus equal scores at a lower index
            // (ML.NET breaks ties by order of appearance).
            int rank = 0;
            float truth = s[label];
            for (int c = 0; c < classes; c++)
                if (s[c] > truth || (s[c] == truth && c < label)) rank++;
            for (int r = rank; r < k; r++) rankHits[r]++;
            double p = Math.Clamp((double)truth, Epsilon, 1.0);
            if (double.IsNaN(truth)) p = Epsilon;
            double ll = -Math.Log(p);
            n++; logLoss += ll;
            classCount[label]++; classLogLoss[label] += ll;
            confusion[label][predicted]++;
            if (predicted == label) correct++;
        }
        if (n == 0) throw new ArgumentException("the data has no labelled rows to evaluate.", nameof(labels));

        double entropy = 0;
        for (int c = 0; c < classes; c++)
            if (classCount[c] > 0) entropy -= classCount[c] / n * Math.Log(classCount[c] / n);
        double meanLogLoss = logLoss / n;
        // With one class present the prior is certain (H = 0) and the ratio undefined: report 0.
        double reduction = entropy > 0 ? (entropy - meanLogLoss) / entropy : 0;

        double macro = 0; int present = 0;
        for (int c = 0; c < classes; c++)
            if (classCount[c] > 0) { macro += confusion[c][c] / classCount[c]; present++; }
        macro /= present;

        var perClass = new double[classes];
        for (int c = 0; c < classes; c++) perClass[c] = classCount[c] > 0 ? classLogLoss[c] / classCount[c] : 0;
        IReadOnlyList<double>? topK = k > 0 ? rankHits.Select(h => h / n).ToArray() : null;
        return new MulticlassClassificationMetrics(meanLogLoss, reduction, macro, correct / n, k, topK, perClass,
            new ConfusionMatrix(confusion, classNames));
    }
}
