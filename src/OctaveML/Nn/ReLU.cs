using OctaveML.Ops;
using OctaveML.Tensors;

namespace OctaveML.Nn;

/// <summary>The rectified linear unit max(x, 0), as torch.nn.ReLU (no parameters).</summary>
public sealed class ReLU : Module, ILayer
{
    private Tensor? _output;

    /// <summary>y = max(x, 0), any shape; keeps y for <see cref="Backward"/>.</summary>
    public Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var y = Output(0, input.ShapeArray());
        ReluKernel.Forward(input.Data, y.Data);
        _output = y;
        return y;
    }

    /// <summary>dL/dx = dL/dy where the last output was positive, else 0.</summary>
    public Tensor Backward(Tensor gradOutput)
    {
        ArgumentNullException.ThrowIfNull(gradOutput);
        var y = _output ?? throw new InvalidOperationException("ReLU.Backward called before Forward.");
        if (!gradOutput.SameShape(y))
            throw new ArgumentException($"gradOutput has shape {gradOutput.ShapeString}, expected {y.ShapeString} (the last output's).", nameof(gradOutput));
        var dx = GradientBuffer(y.ShapeArray());
        ReluKernel.Backward(y.Data, gradOutput.Data, dx.Data);
        ReleaseOutputs();
        return dx;
    }
}
