using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;
using Onnx;

namespace OctaveML.Onnx;

/// <summary>
/// Turns an exported model into ML.NET's own transformers, which <c>ml.Model.Save</c>, <c>Load</c>,
/// <c>Evaluate</c> and <c>PredictionEngine</c> handle natively: ApplyOnnxModel (Score, with the class
/// names as SlotNames) -> <see cref="ArgMaxMapping"/> -> MapValue to a key PredictedLabel over the
/// label's key values -> DropColumns of the temporaries. The zip ML.NET saves embeds the ONNX bytes.
/// </summary>
public static class OnnxScoringChain
{
    /// <summary>
    /// The fitted chain. It comes back through an in-memory save and load, so the temp copy of the
    /// model ApplyOnnxModel(Stream) writes (and never deletes) is gone: the returned chain owns only the
    /// copy ML.NET's loader writes under <see cref="MLContext.TempFilePath"/>, deleted when it is disposed.
    /// </summary>
    /// <param name="ml">The context the returned chain belongs to.</param>
    /// <param name="onnxModel">An <see cref="OnnxExport"/> model whose input is <paramref name="featureColumnName"/> and output <paramref name="scoreColumnName"/>.</param>
    /// <param name="inputSchema">The schema of the data the chain will transform (it has the feature column).</param>
    /// <param name="featureColumnName">The float vector column of C*H*W planar pixels.</param>
    /// <param name="scoreColumnName">The probabilities column to add.</param>
    /// <param name="predictedLabelColumnName">The key column of the predicted class to add.</param>
    /// <param name="labelKeyValues">The label column's KeyValues, one per class in score order; PredictedLabel's KeyValues.</param>
    /// <exception cref="ArgumentException">The model, columns or key values do not fit together.</exception>
    public static ITransformer Create(MLContext ml, byte[] onnxModel, DataViewSchema inputSchema, string featureColumnName,
        string scoreColumnName, string predictedLabelColumnName, VBuffer<ReadOnlyMemory<char>> labelKeyValues)
    {
        ArgumentNullException.ThrowIfNull(ml);
        ArgumentNullException.ThrowIfNull(onnxModel);
        ArgumentNullException.ThrowIfNull(inputSchema);
        ArgumentException.ThrowIfNullOrWhiteSpace(featureColumnName);
        ArgumentException.ThrowIfNullOrWhiteSpace(scoreColumnName);
        ArgumentException.ThrowIfNullOrWhiteSpace(predictedLabelColumnName);
        var classNames = labelKeyValues.DenseValues().Select(v => v.ToString()).ToArray();
        if (scoreColumnName == predictedLabelColumnName)
            throw new ArgumentException($"the score and predicted label columns are both named '{scoreColumnName}'.", nameof(predictedLabelColumnName));
        Check(ReadModel(onnxModel), inputSchema, featureColumnName, scoreColumnName, classNames);

        // ApplyOnnxModel(Stream) copies the model to a temp file it never deletes: build and fit in a context
        // whose temp folder is ours, save to memory, dispose, delete the folder, and load into the caller's context.
        var temp = Directory.CreateDirectory(Path.Combine(ml.TempFilePath, $"octaveml-onnx-{Guid.NewGuid():N}"));
        try
        {
            var bytes = new MemoryStream();
            var fitContext = new MLContext { TempFilePath = temp.FullName };
            using (var fitted = Estimator(fitContext, onnxModel, featureColumnName, scoreColumnName, predictedLabelColumnName, classNames)
                       .Fit(new SchemaOnlyDataView(inputSchema)))
                fitContext.Model.Save(fitted, inputSchema, bytes);
            bytes.Position = 0;
            return ml.Model.Load(bytes, out _);
        }
        finally
        {
            temp.Delete(recursive: true);
        }
    }

    private static EstimatorChain<ColumnSelectingTransformer> Estimator(MLContext ml, byte[] onnxModel,
        string featureColumnName, string scoreColumnName, string predictedLabelColumnName, string[] classNames)
    {
        var pairs = classNames.Select((name, i) => new KeyValuePair<uint, string>((uint)i, name));
        return ml.Transforms.ApplyOnnxModel(scoreColumnName, featureColumnName, new MemoryStream(onnxModel, writable: false))
            .Append(ml.Transforms.CopyColumns(ArgMaxMapping.ScoresColumn, scoreColumnName))
            .Append(ml.Transforms.CustomMapping<ArgMaxMapping.Input, ArgMaxMapping.Output>(ArgMaxMapping.Map, ArgMaxMapping.ContractName))
            .Append(ml.Transforms.Conversion.MapValue(predictedLabelColumnName, pairs, ArgMaxMapping.IndexColumn, treatValuesAsKeyType: true))
            .Append(ml.Transforms.DropColumns(ArgMaxMapping.ScoresColumn, ArgMaxMapping.IndexColumn));
    }

    private static ModelProto ReadModel(byte[] onnxModel)
    {
        try { return ModelProto.Parser.ParseFrom(onnxModel); }
        catch (Google.Protobuf.InvalidProtocolBufferException e)
        {
            throw new ArgumentException($"onnxModel is not an ONNX model: {e.Message}", nameof(onnxModel), e);
        }
    }

    private static void Check(ModelProto model, DataViewSchema inputSchema, string featureColumnName, string scoreColumnName, string[] classNames)
    {
        var graph = model.Graph ?? throw new ArgumentException("onnxModel has no graph.", "onnxModel");
        if (graph.Input.Count != 1 || graph.Input[0].Name != featureColumnName || graph.Output.Count != 1 || graph.Output[0].Name != scoreColumnName)
            throw new ArgumentException(
                $"onnxModel maps [{string.Join(", ", graph.Input.Select(i => i.Name))}] to [{string.Join(", ", graph.Output.Select(o => o.Name))}]; " +
                $"the chain needs '{featureColumnName}' to '{scoreColumnName}' (export with OnnxExportOptions.InputName and OutputName set to the column names).", "onnxModel");
        var inputDims = graph.Input[0].Type?.TensorType?.Shape?.Dim;
        var outputDims = graph.Output[0].Type?.TensorType?.Shape?.Dim;
        if (inputDims is not { Count: 2 } || outputDims is not { Count: 2 })
            throw new ArgumentException("onnxModel's input and output must be [N, size] tensors, as OnnxExport writes them.", "onnxModel");
        long inputSize = inputDims[1].DimValue, classes = outputDims[1].DimValue;

        var column = inputSchema.GetColumnOrNull(featureColumnName)
            ?? throw new ArgumentException($"the input schema has no column '{featureColumnName}'.", nameof(inputSchema));
        if (column.Type is not VectorDataViewType { ItemType: var item } vector || item != NumberDataViewType.Single || vector.Size != inputSize)
            throw new ArgumentException($"column '{featureColumnName}' is {column.Type}; the model takes a vector of {inputSize} Single values.", nameof(inputSchema));
        if (classNames.Length != classes)
            throw new ArgumentException($"labelKeyValues has {classNames.Length} values; the model scores {classes} classes.", "labelKeyValues");
        var duplicates = classNames.GroupBy(n => n, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => $"'{g.Key}'").ToArray();
        if (duplicates.Length > 0)
            throw new ArgumentException($"labelKeyValues has duplicates: {string.Join(", ", duplicates)}.", "labelKeyValues");
    }
}
