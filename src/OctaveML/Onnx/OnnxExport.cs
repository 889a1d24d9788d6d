using System.Reflection;
using System.Text.Json;
using Google.Protobuf;
using Onnx;
using OctaveML.Models;
using OctaveML.Tensors;

namespace OctaveML.Onnx;

/// <summary>
/// Writes a network as an ONNX model (IR 8, opset 17) that ONNX Runtime and ML.NET's ApplyOnnxModel
/// score: input float [N, C*H*W] (ExtractPixels' planar vector), the trainer's normalisation, the
/// network in eval mode, output softmax probabilities [N, classes] with the class names as the output's
/// ML.NET SlotNames. Initializers carry the reference's state-dict names, metadata_props the spec,
/// class names, mean/std and the BN batch counters, so OctaveModelFile recovers the exact state dict.
/// </summary>
public static class OnnxExport
{
    /// <summary>The default operator set's version.</summary>
    public const int Opset = 17;

    /// <summary>The ONNX IR version (that of ONNX 1.12, whose operator set 17 is used).</summary>
    public const int IrVersion = 8;

    /// <summary>The ai.onnx.ml operator set's version (LabelEncoder with keys and values).</summary>
    public const int MlOpset = 2;

    /// <summary>The serialized ONNX model of <paramref name="model"/>'s current weights (BN with its running statistics).</summary>
    /// <exception cref="ArgumentException">The model has no spec, or the options do not fit it.</exception>
    public static byte[] ToOnnx(ImageClassifier model, OnnxExportOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        var spec = model.Spec ?? throw new ArgumentException(
            $"{model.GetType().Name} has no Spec; only networks a ModelSpec describes (OctResNet, OctCifarResNet, OctMobileNet) can be exported.", nameof(model));
        return Build(spec, model.StateDict(), options).ToByteArray();
    }

    /// <summary>
    /// The backbone of <paramref name="model"/> as an ONNX model: the same input and normalisation as
    /// <see cref="ToOnnx"/>, the network in eval mode up to the global average pool, output the pooled
    /// features float [N, F] that the classifier head (fc) reads, named <see cref="OnnxExportOptions.OutputName"/>.
    /// Fine-tuning the head alone computes them once per image (ML.NET's ImageClassification trainer caches
    /// such "bottleneck" values too) with the engine that scores the fitted model.
    /// </summary>
    internal static byte[] FeaturesToOnnx(ImageClassifier model, OnnxExportOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        var spec = model.Spec ?? throw new ArgumentException($"{model.GetType().Name} has no Spec; only networks a ModelSpec describes can be exported.", nameof(model));
        var meta = Metadata(spec, options);
        var g = new OnnxGraphBuilder(model.StateDict(), spec.Key, options.InputName, options.OutputName, $"mlnet.{options.OutputName}.SlotNames");
        var features = Backbone(g, spec, meta, options);
        g.NodeWithOutput("Identity", "", options.OutputName, [features.Name]);
        g.Graph.Output.Add(OnnxGraphBuilder.FloatValueInfo(options.OutputName, features.Channels));
        var onnx = new ModelProto { IrVersion = IrVersion, ProducerName = "OctaveML", DocString = spec.DisplayName + " backbone", Graph = g.Graph };
        onnx.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = Opset });
        return onnx.ToByteArray();
    }

    /// <summary>The metadata an export of <paramref name="spec"/> with <paramref name="options"/> carries; validates the options.</summary>
    public static OnnxModelMetadata Metadata(ModelSpec spec, OnnxExportOptions options)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(options);
        var names = options.ClassNames ?? throw new ArgumentException("ClassNames is null.", nameof(options));
        if (names.Count != spec.NumClasses)
            throw new ArgumentException($"ClassNames has {names.Count} names; the model has {spec.NumClasses} classes.", nameof(options));
        if (names.Any(string.IsNullOrEmpty))
            throw new ArgumentException("ClassNames has a null or empty name.", nameof(options));
        if (names.Distinct(StringComparer.Ordinal).Count() != names.Count)
            throw new ArgumentException($"ClassNames has duplicates: {string.Join(", ", names.GroupBy(n => n).Where(g => g.Count() > 1).Select(g => $"'{g.Key}'"))}.", nameof(options));
        if (options.Height < 1 || options.Width < 1)
            throw new ArgumentException($"the input size is {options.Height}x{options.Width}; both sides must be at least 1.", nameof(options));
        if (options.Mean is null || options.Mean.Count != spec.InChannels || options.Std is null || options.Std.Count != spec.InChannels)
            throw new ArgumentException(
                $"Mean and Std need one value per input channel ({spec.InChannels}); they have {options.Mean?.Count ?? 0} and {options.Std?.Count ?? 0}.", nameof(options));
        if (options.Mean.Any(m => !float.IsFinite(m)) || options.Std.Any(s => !(s > 0 && float.IsFinite(s))))
            throw new ArgumentException($"Mean must be finite and Std positive and finite; they are [{string.Join(", ", options.Mean)}] and [{string.Join(", ", options.Std)}].", nameof(options));
        if (string.IsNullOrWhiteSpace(options.InputName) || string.IsNullOrWhiteSpace(options.OutputName) || options.InputName == options.OutputName)
            throw new ArgumentException($"InputName '{options.InputName}' and OutputName '{options.OutputName}' must be distinct and not empty.", nameof(options));
        return new OnnxModelMetadata
        {
            Spec = spec, ClassNames = names.ToArray(), Height = options.Height, Width = options.Width,
            Mean = options.Mean.ToArray(), Std = options.Std.ToArray(),
        };
    }

    internal static ModelProto Build(ModelSpec spec, IReadOnlyDictionary<string, Tensor> state, OnnxExportOptions options)
    {
        var meta = Metadata(spec, options);
        string slotNames = $"mlnet.{options.OutputName}.SlotNames";
        var g = new OnnxGraphBuilder(state, spec.Key, options.InputName, options.OutputName, slotNames);
        var features = Backbone(g, spec, meta, options);

        var fc = g.ShapeOf("fc.weight");
        if (fc.Length != 2 || fc[0] != spec.NumClasses || fc[1] != features.Channels)
            throw new ArgumentException($"'fc.weight' has shape {Tensor.FormatShape(fc)}; the spec gives [{spec.NumClasses}, {features.Channels}].", "model");
        string logits = g.Node("Gemm", "fc", [features.Name, g.Weight("fc.weight"), g.Weight("fc.bias")], OnnxGraphBuilder.Int("transB", 1));
        g.NodeWithOutput("Softmax", "", options.OutputName, [logits], OnnxGraphBuilder.Int("axis", 1));
        g.Graph.Output.Add(OnnxGraphBuilder.FloatValueInfo(options.OutputName, spec.NumClasses));

        // ML.NET's OnnxTransformer reads the output's SlotNames from the keys of a LabelEncoder named mlnet.<output>.SlotNames.
        g.NodeWithOutput("LabelEncoder", "ai.onnx.ml", slotNames, [g.StringConstant("slot_names_probe", "")],
            OnnxGraphBuilder.Strings("keys_strings", meta.ClassNames),
            OnnxGraphBuilder.Ints("values_int64s", Enumerable.Range(0, meta.ClassNames.Count).Select(i => (long)i).ToArray()));
        var scalars = StateScalars(g.UnusedState());

        var model = new ModelProto
        {
            IrVersion = IrVersion,
            ProducerName = "OctaveML",
            ProducerVersion = typeof(OnnxExport).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "",
            DocString = spec.DisplayName,
            Graph = g.Graph,
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = Opset });
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "ai.onnx.ml", Version = MlOpset });
        foreach (var (key, value) in meta.ToProperties())
            model.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
        model.MetadataProps.Add(new StringStringEntryProto { Key = StateScalarsKey, Value = JsonSerializer.Serialize(scalars) });
        return model;
    }

    /// <summary>The input, its normalisation and the network up to the pooled features [N, F].</summary>
    private static FeatureMap Backbone(OnnxGraphBuilder g, ModelSpec spec, OnnxModelMetadata meta, OnnxExportOptions options)
    {
        int c = spec.InChannels, h = options.Height, w = options.Width;
        g.Graph.Input.Add(OnnxGraphBuilder.FloatValueInfo(options.InputName, c * h * w));

        // (x - mean) / std on the [N, C, H, W] view of the planar vector (shape 0 copies the batch dimension).
        string image = g.Node("Reshape", "input.nchw", [options.InputName, g.Constant("input_shape", [0L, c, h, w], 4)]);
        string centred = g.Node("Sub", "input.centred", [image, g.Constant("input_mean", meta.Mean.ToArray(), 1, c, 1, 1)]);
        string normalised = g.Node("Div", "input.normalised", [centred, g.Constant("input_std", meta.Std.ToArray(), 1, c, 1, 1)]);
        return NetworkGraph.Features(g, spec, g.Declared(normalised, c, h, w));
    }

    /// <summary>
    /// The metadata_props key of the state-dict scalars no node uses (batch norm's num_batches_tracked),
    /// a JSON object by name: kept out of the initializers, which ONNX Runtime would drop with a warning each.
    /// </summary>
    internal const string StateScalarsKey = "state_scalars";

    private static Dictionary<string, float> StateScalars(IEnumerable<KeyValuePair<string, Tensor>> unused)
    {
        var scalars = new Dictionary<string, float>(StringComparer.Ordinal);
        foreach (var (name, t) in unused)
            scalars[name] = t.Rank == 0 ? t.Data[0]
                : throw new ArgumentException($"the model's state dict has '{name}' {t.ShapeString}, which its spec does not use; the network does not match its spec.", "model");
        return scalars;
    }
}
