using OctaveML.Tensors;

namespace OctaveML.Nn;

/// <summary>
/// A tensor of a traced forward, as a TorchScript graph's values: an id and a shape, no data. Modules
/// declare their forward over values (<see cref="Graph"/>); a <see cref="GraphExecutor"/> gives every
/// value its memory when it runs the graph.
/// </summary>
public readonly struct Value
{
    private readonly int[] _shape;

    internal Value(int id, int[] shape)
    {
        Id = id;
        _shape = shape;
    }

    /// <summary>The value's index in its graph.</summary>
    internal int Id { get; }

    /// <summary>The dimensions, outermost first.</summary>
    public ReadOnlySpan<int> Shape => _shape;

    /// <summary>The number of dimensions.</summary>
    public int Rank => _shape.Length;

    // NCHW accessors, as Tensor's.
    public int N => _shape[0];
    public int C => _shape[1];
    public int H => _shape[2];
    public int W => _shape[3];

    /// <summary>A copy of the shape array.</summary>
    public int[] ShapeArray() => (int[])_shape.Clone();

    /// <summary>The shape as "[2, 3, 8, 8]".</summary>
    public string ShapeString => Tensor.FormatShape(_shape);

    /// <inheritdoc/>
    public override string ToString() => $"Value{ShapeString}";
}
