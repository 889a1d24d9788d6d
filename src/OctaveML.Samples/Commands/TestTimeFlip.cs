using Microsoft.ML;
using Microsoft.ML.Data;

namespace OctaveML.Samples.Commands;

/// <summary>
/// Test-time flip: each test image is scored as it is and mirrored left-right, and the class with the
/// highest average probability is the prediction. The fitted model stays as it is (one image, one
/// scoring); this measures what averaging over the mirror would add. The mirror is made between the
/// preprocessing (LoadImages, ResizeImages, ExtractPixels, when the pipeline has them) and the trainer's
/// scorer, on the planar pixels of the feature column.
/// </summary>
public static class TestTimeFlip
{
    /// <summary>The row type of the mirroring mapping; its column's name and type are set at run time.</summary>
    private sealed class Pixels
    {
        public float[] Features = [];
    }

    /// <summary>
    /// The share of <paramref name="test"/>'s rows whose label is the argmax of the average of the
    /// Score column of the image and of its mirror, as <paramref name="fitted"/> scores them.
    /// </summary>
    /// <param name="ml">The context the mirroring mapping is made in.</param>
    /// <param name="fitted">A fitted pipeline whose transformers include one that adds <paramref name="scoreColumn"/>.</param>
    /// <param name="test">Rows the pipeline accepts, with a key <paramref name="labelColumn"/>.</param>
    /// <param name="channels">Channels of the planar images in <paramref name="featureColumn"/>.</param>
    /// <param name="height">Their height.</param>
    /// <param name="width">Their width.</param>
    /// <param name="featureColumn">The pixel column the scorer reads.</param>
    /// <param name="labelColumn">The key column of true classes.</param>
    /// <param name="scoreColumn">The column of class probabilities.</param>
    public static double Accuracy(MLContext ml, ITransformer fitted, IDataView test, int channels, int height, int width,
        string featureColumn = "Features", string labelColumn = "Label", string scoreColumn = "Score")
    {
        ArgumentNullException.ThrowIfNull(fitted);
        ArgumentNullException.ThrowIfNull(test);
        var transformers = fitted is IEnumerable<ITransformer> chain ? chain.ToList() : [fitted];
        // Everything before the transformer that adds the Score column prepares the features.
        IDataView prepared = test;
        int scorer = -1;
        for (int i = 0; i < transformers.Count && scorer < 0; i++)
        {
            if (transformers[i].GetOutputSchema(prepared.Schema).GetColumnOrNull(scoreColumn) is not null
                && prepared.Schema.GetColumnOrNull(scoreColumn) is null)
                scorer = i;
            else
                prepared = transformers[i].Transform(prepared);
        }
        if (scorer < 0) throw new ArgumentException($"the fitted pipeline adds no '{scoreColumn}' column.", nameof(fitted));
        var featureType = prepared.Schema[featureColumn].Type as VectorDataViewType
            ?? throw new ArgumentException($"column '{featureColumn}' is not a vector.", nameof(test));
        if (featureType.Size != channels * height * width)
            throw new ArgumentException($"column '{featureColumn}' has {featureType.Size} values; expected {channels} x {height} x {width}.", nameof(test));

        var mirrored = Mirroring(ml, featureColumn, featureType, height, width).Fit(prepared).Transform(prepared);
        var score = transformers[scorer];
        var a = score.Transform(prepared);
        var b = score.Transform(mirrored);

        using var ca = a.GetRowCursor(new[] { a.Schema[scoreColumn], a.Schema[labelColumn] });
        using var cb = b.GetRowCursor(new[] { b.Schema[scoreColumn] });
        var scoreA = ca.GetGetter<VBuffer<float>>(a.Schema[scoreColumn]);
        var scoreB = cb.GetGetter<VBuffer<float>>(b.Schema[scoreColumn]);
        var label = ca.GetGetter<uint>(a.Schema[labelColumn]);
        VBuffer<float> sa = default, sb = default;
        uint key = 0;
        long rows = 0, correct = 0;
        while (ca.MoveNext())
        {
            if (!cb.MoveNext()) throw new InvalidOperationException("the mirrored test data has fewer rows than the test data.");
            scoreA(ref sa); scoreB(ref sb); label(ref key);
            if (key == 0) continue; // a missing label is not counted, as ML.NET's Evaluate does
            var pa = sa.DenseValues().ToArray();
            var pb = sb.DenseValues().ToArray();
            int best = 0;
            for (int k = 1; k < pa.Length; k++)
                if (pa[k] + pb[k] > pa[best] + pb[best]) best = k;
            rows++;
            if (best == key - 1) correct++;
        }
        if (rows == 0) throw new ArgumentException("the test data has no labelled rows.", nameof(test));
        return (double)correct / rows;
    }

    /// <summary>A mapping that replaces <paramref name="column"/> by its left-right mirror (each row of each channel reversed).</summary>
    private static IEstimator<ITransformer> Mirroring(MLContext ml, string column, VectorDataViewType type, int height, int width)
    {
        SchemaDefinition Definition()
        {
            var d = SchemaDefinition.Create(typeof(Pixels));
            var features = d[nameof(Pixels.Features)];
            features.ColumnName = column;
            features.ColumnType = type;
            return d;
        }
        return ml.Transforms.CustomMapping<Pixels, Pixels>((src, dst) => dst.Features = Mirror(src.Features, height, width),
            contractName: null, inputSchemaDefinition: Definition(), outputSchemaDefinition: Definition());
    }

    /// <summary>The left-right mirror of planar images whose rows are <paramref name="width"/> long (any number of channels).</summary>
    public static float[] Mirror(float[] pixels, int height, int width)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        if (width < 1 || height < 1 || pixels.Length % (height * width) != 0)
            throw new ArgumentException($"{pixels.Length} values are not whole planes of {height} x {width}.", nameof(pixels));
        var mirrored = (float[])pixels.Clone();
        for (int row = 0; row < pixels.Length / width; row++)
            mirrored.AsSpan(row * width, width).Reverse();
        return mirrored;
    }
}
