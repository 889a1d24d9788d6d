using OctaveML.Ops;
using OctaveML.Tensors;

namespace OctaveML.Nn;

/// <summary>The rectified linear unit max(x, 0), as torch.nn.ReLU (no parameters).</summary>
public sealed class ReLU : Layer, IOp
{
    /// <summary>y = max(x, 0), any shape.</summary>
    public override Value Forward(Graph graph, Value input)
    {
        ArgumentNullException.ThrowIfNull(graph);
        return graph.Add(this, input, input.ShapeArray());
    }

    // Backward reads y (the mask); y may be written over x.
    bool IOp.SavesInput(int input) => false;
    bool IOp.SavesOutput(int output) => true;
    int IOp.InPlaceInput(int output) => 0;

    void IOp.Forward(ReadOnlySpan<Tensor?> inputs, ReadOnlySpan<Tensor?> outputs) => ReluKernel.Forward(inputs[0]!.Span, outputs[0]!.Span);

    /// <summary>dL/dx = dL/dy where the output was positive, else 0.</summary>
    void IOp.Backward(ReadOnlySpan<Tensor?> inputs, ReadOnlySpan<Tensor?> outputs, ReadOnlySpan<Tensor?> gradOutputs, ReadOnlySpan<Tensor?> gradInputs) =>
        ReluKernel.Backward(outputs[0]!.Span, gradOutputs[0]!.Span, gradInputs[0]!.Span);
}
