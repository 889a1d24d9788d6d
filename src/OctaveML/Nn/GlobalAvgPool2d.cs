using OctaveML.Ops;
using OctaveML.Tensors;

namespace OctaveML.Nn;

/// <summary>
/// Global average pooling followed by flattening, [N, C, H, W] -> [N, C], as
/// F.adaptive_avg_pool2d(t, 1).flatten(1) before the classifier of both reference models. No parameters.
/// </summary>
public sealed class GlobalAvgPool2d : Module, ILayer
{
    private int[]? _inputShape;

    /// <summary>y[n, c] = mean of x[n, c, :, :].</summary>
    public Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank != 4 || input.N < 1 || input.C < 1 || input.H < 1 || input.W < 1)
            throw new ArgumentException($"input has shape {input.ShapeString}, expected [N, C, H, W] (all >= 1).", nameof(input));
        var y = Output(0, input.N, input.C);
        GlobalAvgPoolKernel.Forward(input.N * input.C, input.H * input.W, input.Data, y.Data);
        _inputShape = input.ShapeArray();
        return y;
    }

    /// <summary>dL/dx[n, c, h, w] = dL/dy[n, c] / (H * W).</summary>
    public Tensor Backward(Tensor gradOutput)
    {
        ArgumentNullException.ThrowIfNull(gradOutput);
        var s = _inputShape ?? throw new InvalidOperationException("GlobalAvgPool2d.Backward called before Forward.");
        if (!gradOutput.HasShape(s[0], s[1]))
            throw new ArgumentException($"gradOutput has shape {gradOutput.ShapeString}, expected [{s[0]}, {s[1]}] (the last output's).", nameof(gradOutput));
        var dx = GradientBuffer(s);
        GlobalAvgPoolKernel.Backward(s[0] * s[1], s[2] * s[3], gradOutput.Data, dx.Data);
        ReleaseOutputs();
        return dx;
    }
}
