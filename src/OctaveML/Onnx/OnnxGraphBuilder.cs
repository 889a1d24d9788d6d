using System.Runtime.InteropServices;
using Google.Protobuf;
using Onnx;
using OctaveML.Tensors;

namespace OctaveML.Onnx;

/// <summary>
/// Builds one ONNX graph from a state dict: each weight becomes an initializer under its state-dict
/// name the first time a node uses it, helper constants are named "onnx::...", and every op keeps the
/// static spatial size of its output (only the batch dimension is dynamic), so odd sizes are cropped
/// with constant slices.
/// </summary>
internal sealed class OnnxGraphBuilder
{
    /// <summary>Prefix of every initializer that is not a state-dict entry.</summary>
    public const string ConstantPrefix = "onnx::";

    /// <summary>BatchNorm2d's epsilon in the engine and the reference (PyTorch's default).</summary>
    public const float BatchNormEps = 1e-5f;

    private readonly IReadOnlyDictionary<string, Tensor> _state;
    private readonly HashSet<string> _initialized = new(StringComparer.Ordinal);
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _bnScales = new(StringComparer.Ordinal);

    /// <param name="state">The weights by state-dict name.</param>
    /// <param name="graphName">The graph's name.</param>
    /// <param name="reserved">Value names the caller gives itself (graph input and output), never given to a node.</param>
    public OnnxGraphBuilder(IReadOnlyDictionary<string, Tensor> state, string graphName, params string[] reserved)
    {
        _state = state;
        Graph = new GraphProto { Name = graphName };
        _names.UnionWith(state.Keys);
        _names.UnionWith(reserved);
    }

    public GraphProto Graph { get; }

    /// <summary>The state-dict entries no node used (batch norm's num_batches_tracked), in state-dict order.</summary>
    public IEnumerable<KeyValuePair<string, Tensor>> UnusedState() => _state.Where(e => !_initialized.Contains(e.Key));

    /// <summary>The initializer of state-dict entry <paramref name="name"/>, added on first use.</summary>
    public string Weight(string name)
    {
        if (!_state.TryGetValue(name, out var t)) throw Missing(name);
        if (_initialized.Add(name)) Graph.Initializer.Add(FloatTensor(name, t.Data, t.Shape));
        return name;
    }

    /// <summary>The shape of state-dict entry <paramref name="name"/>.</summary>
    public ReadOnlySpan<int> ShapeOf(string name) =>
        _state.TryGetValue(name, out var t) ? t.Shape : throw Missing(name);

    private static ArgumentException Missing(string name) =>
        new($"the model's state dict has no '{name}', which its spec implies; the network does not match its spec.", "model");

    /// <summary>A float constant named "onnx::<paramref name="name"/>".</summary>
    public string Constant(string name, float[] values, params int[] dims)
    {
        string full = ConstantPrefix + name;
        if (_initialized.Add(full)) Graph.Initializer.Add(FloatTensor(full, values, dims));
        return full;
    }

    /// <summary>An int64 constant named "onnx::<paramref name="name"/>".</summary>
    public string Constant(string name, long[] values, params int[] dims)
    {
        string full = ConstantPrefix + name;
        if (_initialized.Add(full))
        {
            var t = new TensorProto { Name = full, DataType = (int)TensorProto.Types.DataType.Int64 };
            foreach (int d in dims) t.Dims.Add(d);
            t.Int64Data.Add(values);
            Graph.Initializer.Add(t);
        }
        return full;
    }

    /// <summary>A string [1, 1] constant named "onnx::<paramref name="name"/>".</summary>
    public string StringConstant(string name, string value)
    {
        string full = ConstantPrefix + name;
        if (_initialized.Add(full))
        {
            var t = new TensorProto { Name = full, DataType = (int)TensorProto.Types.DataType.String };
            t.Dims.Add([1L, 1L]);
            t.StringData.Add(ByteString.CopyFromUtf8(value));
            Graph.Initializer.Add(t);
        }
        return full;
    }

    /// <summary>Adds a node; its single output (and the node) is named <paramref name="name"/>, made unique.</summary>
    public string Node(string opType, string name, IEnumerable<string> inputs, params AttributeProto[] attributes) =>
        Node(opType, "", name, inputs, attributes);

    /// <summary>Adds a node of operator set <paramref name="domain"/>.</summary>
    public string Node(string opType, string domain, string name, IEnumerable<string> inputs, params AttributeProto[] attributes) =>
        NodeWithOutput(opType, domain, Unique(name), inputs, attributes);

    /// <summary>Adds a node whose output (and the node) is named exactly <paramref name="output"/> (a reserved name).</summary>
    public string NodeWithOutput(string opType, string domain, string output, IEnumerable<string> inputs, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = opType, Name = output, Domain = domain };
        node.Input.Add(inputs);
        node.Output.Add(output);
        node.Attribute.Add(attributes);
        Graph.Node.Add(node);
        return output;
    }

    private string Unique(string name)
    {
        if (_names.Add(name)) return name;
        for (int i = 1; ; i++)
            if (_names.Add($"{name}_{i}")) return $"{name}_{i}";
    }

    // ---- layers on feature maps ----

    /// <summary>
    /// The map <paramref name="name"/> [N, c, h, w], declared in the graph's value_info: ONNX shape inference
    /// loses the symbolic batch dimension at Resize, and ONNX Runtime proves the two sides of an Add equal
    /// (to keep it in its blocked layout and fuse it into a convolution) only from such shapes.
    /// </summary>
    public FeatureMap Declared(string name, int channels, int height, int width)
    {
        Graph.ValueInfo.Add(FloatValueInfo(name, channels, height, width));
        return new FeatureMap(name, channels, height, width);
    }

    private FeatureMap Declared(string name, FeatureMap like) => Declared(name, like.Channels, like.Height, like.Width);

    /// <summary>A bias-free convolution with weight <paramref name="weight"/> [out, in/groups, k, k] (groups from its shape).</summary>
    public FeatureMap Conv(FeatureMap x, string weight, int stride, int padding)
    {
        var w = ShapeOf(weight);
        if (w.Length != 4 || w[1] < 1 || x.Channels % w[1] != 0)
            throw new ArgumentException($"'{weight}' has shape {Tensor.FormatShape(w)}, which does not convolve {x.Channels} input channels.", "model");
        int k = w[2], groups = x.Channels / w[1];
        string y = Node("Conv", weight[..^".weight".Length], [x.Name, Weight(weight)],
            Ints("kernel_shape", k, k), Ints("strides", stride, stride), Ints("pads", padding, padding, padding, padding),
            Int("group", groups));
        return Declared(y, w[0], (x.Height + 2 * padding - k) / stride + 1, (x.Width + 2 * padding - k) / stride + 1);
    }

    /// <summary>Eval-mode batch norm with the running statistics of module <paramref name="prefix"/>.</summary>
    public FeatureMap BatchNorm(FeatureMap x, string prefix)
    {
        string y = Node("BatchNormalization", prefix,
            [x.Name, Weight(prefix + ".weight"), Weight(prefix + ".bias"), Weight(prefix + ".running_mean"), Weight(prefix + ".running_var")],
            Float("epsilon", BatchNormEps));
        return Declared(y, x);
    }

    /// <summary>
    /// x times the per-channel scale of batch norm <paramref name="prefix"/>, weight / sqrt(running_var + eps),
    /// computed from its initializers by nodes ONNX Runtime folds into constants when it loads the model.
    /// </summary>
    public FeatureMap ScaleLikeBatchNorm(FeatureMap x, string prefix)
    {
        if (!_bnScales.TryGetValue(prefix, out var scale))
        {
            string var = Node("Add", prefix + ".var_eps", [Weight(prefix + ".running_var"), Constant("bn_eps", [BatchNormEps])]);
            string std = Node("Sqrt", prefix + ".std", [var]);
            string s = Node("Div", prefix + ".scale", [Weight(prefix + ".weight"), std]);
            _bnScales[prefix] = scale = Node("Reshape", prefix + ".scale_c11", [s, Constant("shape_c11", [-1L, 1, 1], 3)]);
        }
        return Declared(Node("Mul", x.Name + ".scaled", [x.Name, scale]), x);
    }

    public FeatureMap Relu(FeatureMap x) => Declared(Node("Relu", x.Name + ".relu", [x.Name]), x);

    public FeatureMap Add(FeatureMap a, FeatureMap b, string name)
    {
        if (a.Channels != b.Channels || a.Height != b.Height || a.Width != b.Width)
            throw new InvalidOperationException($"cannot add {a} and {b}.");
        return Declared(Node("Add", name, [a.Name, b.Name]), a);
    }

    /// <summary>The reference's pool: 2x2/2 average pooling, in ceil mode (windows averaged over the pixels they cover) when a side is odd.</summary>
    public FeatureMap AvgPool2x2(FeatureMap x)
    {
        bool odd = x.Height % 2 == 1 || x.Width % 2 == 1;
        string y = Node("AveragePool", x.Name + ".pool", [x.Name],
            Ints("kernel_shape", 2, 2), Ints("strides", 2, 2), Int("ceil_mode", odd ? 1 : 0), Int("count_include_pad", 0));
        int h = odd ? (x.Height + 1) / 2 : x.Height / 2, w = odd ? (x.Width + 1) / 2 : x.Width / 2;
        return Declared(y, x.Channels, h, w);
    }

    /// <summary>3x3/2 max pooling with padding 1 (the ImageNet stem's).</summary>
    public FeatureMap MaxPool3x3(FeatureMap x, string name)
    {
        string y = Node("MaxPool", name, [x.Name], Ints("kernel_shape", 3, 3), Ints("strides", 2, 2), Ints("pads", 1, 1, 1, 1));
        return Declared(y, x.Channels, (x.Height - 1) / 2 + 1, (x.Width - 1) / 2 + 1);
    }

    /// <summary>The reference's up_to: 2x nearest upsampling, cropped to <paramref name="height"/> x <paramref name="width"/> when that is smaller.</summary>
    public FeatureMap UpsampleTo(FeatureMap x, int height, int width)
    {
        string up = Node("Resize", x.Name + ".up", [x.Name, "", Constant("scales_up2", [1f, 1f, 2f, 2f], 4)],
            String("mode", "nearest"), String("coordinate_transformation_mode", "asymmetric"), String("nearest_mode", "floor"));
        if (2 * x.Height < height || 2 * x.Width < width || 2 * x.Height > height + 1 || 2 * x.Width > width + 1)
            throw new InvalidOperationException($"cannot upsample {x} to {height}x{width}.");
        if (2 * x.Height == height && 2 * x.Width == width) return Declared(up, x.Channels, height, width);
        string crop = Node("Slice", up + ".crop",
            [up, Constant("zeros2", [0L, 0], 2), Constant($"ends_{height}x{width}", [height, (long)width], 2), Constant("axes_hw", [2L, 3], 2)]);
        return Declared(crop, x.Channels, height, width);
    }

    // ---- attributes and tensors ----

    public static AttributeProto Int(string name, long value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    public static AttributeProto Ints(string name, params long[] values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        a.Ints.Add(values);
        return a;
    }

    public static AttributeProto Float(string name, float value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

    public static AttributeProto String(string name, string value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(value) };

    public static AttributeProto Strings(string name, IEnumerable<string> values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Strings };
        a.Strings.Add(values.Select(ByteString.CopyFromUtf8));
        return a;
    }

    /// <summary>A float value [N, <paramref name="dims"/>...] whose batch dimension is the symbol "N".</summary>
    public static ValueInfoProto FloatValueInfo(string name, params int[] dims)
    {
        var shape = new TensorShapeProto();
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = "N" });
        foreach (int d in dims) shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = d });
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape } },
        };
    }

    /// <summary>A float32 tensor with its data as little-endian raw bytes.</summary>
    public static TensorProto FloatTensor(string name, ReadOnlySpan<float> data, ReadOnlySpan<int> dims)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("ONNX export needs a little-endian machine.");
        var t = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
        foreach (int d in dims) t.Dims.Add(d);
        t.RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(data));
        return t;
    }
}
