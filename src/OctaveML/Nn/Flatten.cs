using OctaveML.Tensors;

namespace OctaveML.Nn;

/// <summary>[N, d1, d2, ...] to [N, d1 x d2 x ...], as torch.nn.Flatten() (no parameters).</summary>
public sealed class Flatten : Layer, IOp
{
    /// <summary>The input's elements per item as one dimension.</summary>
    public override Value Forward(Graph graph, Value input)
    {
        ArgumentNullException.ThrowIfNull(graph);
        if (input.Rank < 2 || input.N < 1)
            throw new ArgumentException($"input has shape {input.ShapeString}, expected [N, ...] with N >= 1.", nameof(input));
        long features = 1;
        foreach (int d in input.Shape[1..]) features *= d;
        return graph.Add(this, input, [input.N, (int)features]);
    }

    // The same elements in another shape: the output may share the input's memory, and backward reads nothing.
    bool IOp.SavesInput(int input) => false;
    bool IOp.SavesOutput(int output) => false;
    int IOp.InPlaceInput(int output) => 0;

    void IOp.Forward(ReadOnlySpan<Tensor?> inputs, ReadOnlySpan<Tensor?> outputs) => inputs[0]!.Span.CopyTo(outputs[0]!.Span);

    void IOp.Backward(ReadOnlySpan<Tensor?> inputs, ReadOnlySpan<Tensor?> outputs, ReadOnlySpan<Tensor?> gradOutputs, ReadOnlySpan<Tensor?> gradInputs)
    {
        if (gradInputs[0] is { } dx) gradOutputs[0]!.Span.CopyTo(dx.Span);
    }
}
