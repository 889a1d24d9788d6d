using System.Text.Json.Nodes;
using OctaveML.Models;
using OctaveML.Ops;
using OctaveML.Tensors;

namespace OctaveML.Pipeline;

/// <summary>
/// A trained image classifier as a pipeline step (ML.NET's <c>MulticlassPredictionTransformer</c>):
/// adds <see cref="ScoreColumnName"/> (softmax probabilities, float[] of one value per class) and
/// <see cref="PredictedLabelColumnName"/> (the argmax as a key, ties to the lower class, whose key values are the class names).
/// Rows are scored in batches of <see cref="BatchSize"/> as they are read. The network is shared:
/// reads of the transformed view run one at a time (a lock guards the network).
/// </summary>
public sealed class ImageClassificationPredictionTransformer : ITransformer
{
    private readonly object _lock = new();

    internal ImageClassificationPredictionTransformer(ImageClassifier model, ModelArchitecture architecture, string[] classNames,
        (int C, int H, int W) inputShape, string featureColumnName, string scoreColumnName, string predictedLabelColumnName, int batchSize)
    {
        Model = model; Architecture = architecture; _classNames = classNames; InputShape = inputShape;
        FeatureColumnName = featureColumnName; ScoreColumnName = scoreColumnName; PredictedLabelColumnName = predictedLabelColumnName;
        BatchSize = Math.Max(1, batchSize);
        Model.Eval();
    }

    private readonly string[] _classNames;

    /// <summary>The trained network (in eval mode).</summary>
    public ImageClassifier Model { get; }

    /// <summary>The network's architecture and its hyper-parameters (what a model file records).</summary>
    public ModelArchitecture Architecture { get; }

    /// <summary>The class of each score, in key order (score i is class i, key i + 1).</summary>
    public IReadOnlyList<string> ClassNames => _classNames;

    /// <summary>The [C, H, W] shape the feature vectors must have.</summary>
    public (int C, int H, int W) InputShape { get; }

    /// <summary>The column read (float [C, H, W]).</summary>
    public string FeatureColumnName { get; }

    /// <summary>The probabilities column written.</summary>
    public string ScoreColumnName { get; }

    /// <summary>The predicted key column written.</summary>
    public string PredictedLabelColumnName { get; }

    /// <summary>The training run's history (null for a model loaded from a file).</summary>
    public Training.TrainingResult? TrainingResult { get; internal init; }

    /// <summary>Rows per forward pass when scoring.</summary>
    public int BatchSize { get; }

    /// <inheritdoc/>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        var shape = FeatureDataset.FeatureShape(inputSchema, FeatureColumnName);
        if (shape != InputShape)
            throw new ArgumentOutOfRangeException(nameof(inputSchema), FeatureColumnName,
                $"feature column '{FeatureColumnName}' holds [{shape.C}, {shape.H}, {shape.W}] pixels; the model was trained on [{InputShape.C}, {InputShape.H}, {InputShape.W}].");
        return new DataViewSchema.Builder().AddColumns(inputSchema)
            .AddColumn(ScoreColumnName, new VectorDataViewType(NumberDataViewType.Single, _classNames.Length))
            .AddColumn(PredictedLabelColumnName, new KeyDataViewType((ulong)_classNames.Length), _classNames)
            .ToSchema();
    }

    /// <inheritdoc/>
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var schema = GetOutputSchema(input.Schema);
        int feature = input.Schema[FeatureColumnName].Index;
        int score = schema[ScoreColumnName].Index, predicted = schema[PredictedLabelColumnName].Index;
        return new RowView(schema, () => Score(input, schema.Count, feature, score, predicted), input.GetRowCount);
    }

    private IEnumerable<object?[]> Score(IDataView input, int width, int feature, int score, int predicted)
    {
        var pending = new List<object?[]>(BatchSize);
        foreach (var row in input.Rows())
        {
            pending.Add(row);
            if (pending.Count == BatchSize)
            {
                foreach (var r in ScoreBatch(pending, width, feature, score, predicted)) yield return r;
                pending.Clear();
            }
        }
        if (pending.Count > 0)
            foreach (var r in ScoreBatch(pending, width, feature, score, predicted)) yield return r;
    }

    private object?[][] ScoreBatch(List<object?[]> rows, int width, int feature, int score, int predicted)
    {
        int n = rows.Count, size = InputShape.C * InputShape.H * InputShape.W, k = _classNames.Length;
        var images = new Tensor(n, InputShape.C, InputShape.H, InputShape.W);
        for (int i = 0; i < n; i++)
        {
            var f = (float[])rows[i][feature]!;
            if (f.Length != size)
                throw new InvalidOperationException($"a row of column '{FeatureColumnName}' has {f.Length} values; the model takes {size}.");
            f.CopyTo(images.Data, i * size);
        }
        var probabilities = new float[n * k];
        lock (_lock)
        {
            Model.Eval();
            var logits = Model.Forward(images);
            SoftmaxKernel.Forward(n, k, logits.Data, probabilities);
        }
        var output = new object?[n][];
        for (int i = 0; i < n; i++)
        {
            var p = probabilities.AsSpan(i * k, k).ToArray();
            int arg = 0;
            for (int c = 1; c < k; c++) if (p[c] > p[arg]) arg = c;
            var o = new object?[width];
            Array.Copy(rows[i], o, rows[i].Length);
            o[score] = p;
            o[predicted] = (uint)(arg + 1);
            output[i] = o;
        }
        return output;
    }

    internal void SaveParameters(JsonObject parameters)
    {
        parameters["architecture"] = Architecture.ToJson();
        parameters["classNames"] = new JsonArray(_classNames.Select(c => (JsonNode)JsonValue.Create(c)!).ToArray());
        parameters["inputShape"] = new JsonArray(InputShape.C, InputShape.H, InputShape.W);
        parameters["featureColumnName"] = FeatureColumnName;
        parameters["scoreColumnName"] = ScoreColumnName;
        parameters["predictedLabelColumnName"] = PredictedLabelColumnName;
        parameters["batchSize"] = BatchSize;
    }
}
