namespace OctaveML.Nn;

/// <summary>
/// A traced forward, as torch.fx's and TorchScript's graphs: the ordered list of the nodes a network's
/// modules declare when their <c>Forward(Graph, ...)</c> runs, each an op (a layer's kernels) over input
/// and output <see cref="Value"/>s with shapes. It is traced once per input shape; a
/// <see cref="GraphExecutor"/> plans its memory and runs it forward and backward.
/// </summary>
public sealed class Graph
{
    private readonly List<int[]> _shapes = new();
    private readonly List<Node> _nodes = new();
    private readonly List<int> _inputs = new();
    private readonly HashSet<IOp> _ops = new(ReferenceEqualityComparer.Instance);

    /// <summary>One step: an op, its input value ids and output value ids (-1 where absent).</summary>
    internal sealed record Node(IOp Op, int[] Inputs, int[] Outputs);

    internal IReadOnlyList<Node> Nodes => _nodes;

    /// <summary>The ids of the values fed from outside, in order.</summary>
    internal IReadOnlyList<int> Inputs => _inputs;

    /// <summary>Number of values (inputs and node outputs).</summary>
    internal int ValueCount => _shapes.Count;

    /// <summary>The shape of value <paramref name="id"/>.</summary>
    internal int[] ShapeOf(int id) => _shapes[id];

    /// <summary>A value fed from outside (the images, or a layer's input when it runs alone).</summary>
    internal Value Input(int[] shape)
    {
        var v = NewValue(shape);
        _inputs.Add(v.Id);
        return v;
    }

    /// <summary>Records a node with one input and one output of <paramref name="outputShape"/>.</summary>
    internal Value Add(IOp op, Value input, int[] outputShape) => Add(op, [input], [outputShape])[0]!.Value;

    /// <summary>
    /// Records a node: <paramref name="op"/> over <paramref name="inputs"/> (null where absent), giving one
    /// output per shape (null shape: that output is absent). An op appears once per graph, since it keeps
    /// the state of its own forward for its backward.
    /// </summary>
    internal Value?[] Add(IOp op, ReadOnlySpan<Value?> inputs, ReadOnlySpan<int[]?> outputShapes)
    {
        ArgumentNullException.ThrowIfNull(op);
        if (!_ops.Add(op))
            throw new InvalidOperationException(
                $"{op.GetType().Name} appears twice in one forward: a layer keeps the state of its forward for its backward, so each use needs its own layer.");
        var ins = new int[inputs.Length];
        for (int i = 0; i < inputs.Length; i++)
        {
            ins[i] = inputs[i]?.Id ?? -1;
            if (ins[i] >= _shapes.Count) throw new ArgumentException($"input {i} of {op.GetType().Name} is not a value of this graph.", nameof(inputs));
        }
        var outs = new Value?[outputShapes.Length];
        var ids = new int[outputShapes.Length];
        for (int j = 0; j < outputShapes.Length; j++)
        {
            if (outputShapes[j] is not { } shape) { ids[j] = -1; continue; }
            var v = NewValue(shape);
            outs[j] = v;
            ids[j] = v.Id;
        }
        _nodes.Add(new Node(op, ins, ids));
        return outs;
    }

    private Value NewValue(int[] shape)
    {
        var copy = (int[])shape.Clone();
        foreach (int d in copy)
            if (d < 0) throw new ArgumentException($"shape {Tensors.Tensor.FormatShape(copy)} has a negative dimension.", nameof(shape));
        _shapes.Add(copy);
        return new Value(_shapes.Count - 1, copy);
    }
}
