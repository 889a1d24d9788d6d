namespace OctaveML.Pipeline;

/// <summary>Multiclass trainers and evaluation (ML.NET's <c>MulticlassClassificationCatalog</c>).</summary>
public sealed partial class MulticlassClassificationCatalog
{
    internal MulticlassClassificationCatalog(OctaveContext ctx)
    {
        Trainers = new MulticlassClassificationTrainers(ctx);
    }

    /// <summary>The trainers: OctResNet, OctCifarResNet, OctMobileNet.</summary>
    public MulticlassClassificationTrainers Trainers { get; }

    /// <summary>
    /// Evaluates scored data: <paramref name="labelColumnName"/> must be a key column (MapValueToKey),
    /// <paramref name="scoreColumnName"/> a float vector of one probability per key. The predicted class is
    /// the argmax of the score (ties to the lower key), so a PredictedLabel already mapped back to text is fine;
    /// <paramref name="predictedLabelColumnName"/> is accepted for ML.NET's signature. Rows with a missing label
    /// (key 0) are skipped. <paramref name="topKPredictionCount"/> &gt; 0 fills TopKAccuracy and TopKAccuracyForAllK.
    /// </summary>
    public MulticlassClassificationMetrics Evaluate(IDataView data, string labelColumnName = "Label", string scoreColumnName = "Score",
        string predictedLabelColumnName = "PredictedLabel", int topKPredictionCount = 0)
    {
        ArgumentNullException.ThrowIfNull(data);
        _ = predictedLabelColumnName;
        if (topKPredictionCount < 0)
            throw new ArgumentOutOfRangeException(nameof(topKPredictionCount), topKPredictionCount, "topKPredictionCount must be >= 0 (0 = no top-K accuracy).");
        var label = data.Schema.GetColumnOrNull(labelColumnName) ?? throw data.Schema.MissingColumn(labelColumnName, nameof(labelColumnName), "label");
        if (label.Type is not KeyDataViewType key)
            throw new ArgumentOutOfRangeException(nameof(labelColumnName), labelColumnName,
                $"label column '{labelColumnName}' has type {label.Type}; expected a key column (apply MapValueToKey(\"{labelColumnName}\") to it, and do not map it back before evaluating).");
        var score = data.Schema.Require(scoreColumnName, nameof(scoreColumnName), "score",
            t => t is VectorDataViewType { ItemType.RawType: var r } && r == typeof(float), "a float vector (a trainer's Score column)");
        int classes = (int)key.Count;
        if (score.Type is VectorDataViewType { IsKnownSize: true } v && v.Size != classes)
            throw new ArgumentException($"score column '{scoreColumnName}' has {v.Size} values per row but label column '{labelColumnName}' has {classes} keys; they must match.", nameof(scoreColumnName));
        var labels = new List<int>();
        var scores = new List<float[]>();
        foreach (var row in data.Rows())
        {
            uint k = row[label.Index] is uint u ? u : 0;
            labels.Add(k == 0 || k > classes ? -1 : (int)k - 1);
            scores.Add((float[])row[score.Index]!);
        }
        if (labels.Count == 0) throw new ArgumentException("the data to evaluate has no rows.", nameof(data));
        var names = label.KeyValues ?? Enumerable.Range(1, classes).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        return MulticlassEvaluator.Compute(labels, scores, classes, names, topKPredictionCount);
    }
}
