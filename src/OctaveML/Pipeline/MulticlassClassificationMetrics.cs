namespace OctaveML.Pipeline;

/// <summary>
/// Evaluation results of a multiclass classifier, with ML.NET's definitions
/// (<c>MulticlassClassificationMetrics</c>). Predicted class = argmax of the scores, ties going to
/// the lower class index; rows whose label is missing (key 0) are skipped.
/// </summary>
public sealed class MulticlassClassificationMetrics
{
    internal MulticlassClassificationMetrics(double logLoss, double logLossReduction, double macroAccuracy, double microAccuracy,
        int topKPredictionCount, IReadOnlyList<double>? topKAccuracyForAllK, IReadOnlyList<double> perClassLogLoss, ConfusionMatrix confusionMatrix)
    {
        LogLoss = logLoss; LogLossReduction = logLossReduction; MacroAccuracy = macroAccuracy; MicroAccuracy = microAccuracy;
        TopKPredictionCount = topKPredictionCount; TopKAccuracyForAllK = topKAccuracyForAllK;
        TopKAccuracy = topKAccuracyForAllK is { Count: > 0 } all ? all[^1] : 0;
        PerClassLogLoss = perClassLogLoss; ConfusionMatrix = confusionMatrix;
    }

    /// <summary>Mean over instances of -ln(p), p the probability given to the true class, clipped to [1e-15, 1].</summary>
    public double LogLoss { get; }

    /// <summary>
    /// (H - LogLoss) / H, H the log-loss of always predicting the evaluated data's class frequencies
    /// (their entropy, natural log): 1 is perfect, 0 no better than the prior, negative worse.
    /// </summary>
    public double LogLossReduction { get; }

    /// <summary>The mean per-class accuracy (recall) over the classes present in the data.</summary>
    public double MacroAccuracy { get; }

    /// <summary>The fraction of instances predicted correctly.</summary>
    public double MicroAccuracy { get; }

    /// <summary>The fraction of instances whose true class ranks within the top <see cref="TopKPredictionCount"/> scores (0 when K is 0).</summary>
    public double TopKAccuracy { get; }

    /// <summary>The K of <see cref="TopKAccuracy"/> (Evaluate's topKPredictionCount; 0 = not computed).</summary>
    public int TopKPredictionCount { get; }

    /// <summary>Top-k accuracy for k = 1 .. K (element i is top-(i+1)); null when K is 0.</summary>
    public IReadOnlyList<double>? TopKAccuracyForAllK { get; }

    /// <summary>Mean log-loss over the instances of each class (0 for a class absent from the data).</summary>
    public IReadOnlyList<double> PerClassLogLoss { get; }

    /// <summary>The confusion matrix, with per-class precision and recall.</summary>
    public ConfusionMatrix ConfusionMatrix { get; }
}
