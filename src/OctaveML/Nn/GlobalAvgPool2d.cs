using OctaveML.Ops;
using OctaveML.Tensors;

namespace OctaveML.Nn;

/// <summary>
/// Global average pooling followed by flattening, [N, C, H, W] -> [N, C], as
/// F.adaptive_avg_pool2d(t, 1).flatten(1) before the classifier of both reference models. No parameters.
/// </summary>
public sealed class GlobalAvgPool2d : Layer, IOp
{
    /// <summary>y[n, c] = mean of x[n, c, :, :].</summary>
    public override Value Forward(Graph graph, Value input)
    {
        ArgumentNullException.ThrowIfNull(graph);
        if (input.Rank != 4 || input.N < 1 || input.C < 1 || input.H < 1 || input.W < 1)
            throw new ArgumentException($"input has shape {input.ShapeString}, expected [N, C, H, W] (all >= 1).", nameof(input));
        return graph.Add(this, input, [input.N, input.C]);
    }

    // Backward needs only the input's shape (the gradient's).
    bool IOp.SavesInput(int input) => false;
    bool IOp.SavesOutput(int output) => false;

    void IOp.Forward(ReadOnlySpan<Tensor?> inputs, ReadOnlySpan<Tensor?> outputs)
    {
        var x = inputs[0]!;
        GlobalAvgPoolKernel.Forward(x.N * x.C, x.H * x.W, x.Span, outputs[0]!.Span);
    }

    /// <summary>dL/dx[n, c, h, w] = dL/dy[n, c] / (H * W).</summary>
    void IOp.Backward(ReadOnlySpan<Tensor?> inputs, ReadOnlySpan<Tensor?> outputs, ReadOnlySpan<Tensor?> gradOutputs, ReadOnlySpan<Tensor?> gradInputs)
    {
        var dx = gradInputs[0]!;
        GlobalAvgPoolKernel.Backward(dx.N * dx.C, dx.H * dx.W, gradOutputs[0]!.Span, dx.Span);
    }
}
