using OctaveML.Tensors;

namespace OctaveML.Nn;

/// <summary>
/// A module on octave pairs whose forward is a declaration over graph values. Called on tensors, it
/// runs that declaration through a <see cref="GraphExecutor"/> of its own: fresh outputs and input
/// gradients, and the activations of the last forward kept for one backward (in eval mode too).
/// </summary>
public abstract class OctaveLayer : Module, IOctaveLayer
{
    private GraphExecutor? _eager;

    /// <inheritdoc/>
    public abstract OctaveValue Forward(Graph graph, OctaveValue input);

    /// <inheritdoc/>
    public OctaveTensor Forward(OctaveTensor input)
    {
        ArgumentNullException.ThrowIfNull(input.High, nameof(input));
        var y = Eager.Forward([input.High, input.Low], keepForBackward: true);
        return new OctaveTensor(y[0]!, y[1]);
    }

    /// <inheritdoc/>
    public OctaveTensor Backward(OctaveTensor gradOutput)
    {
        ArgumentNullException.ThrowIfNull(gradOutput.High, nameof(gradOutput));
        var dx = Eager.Backward([gradOutput.High, gradOutput.Low]);
        return new OctaveTensor(dx[0]!, dx[1]);
    }

    private GraphExecutor Eager => _eager ??= new GraphExecutor((g, x) =>
    {
        var y = Forward(g, new OctaveValue(x[0]!.Value, x[1]));
        return [y.High, y.Low];
    }, inputGradients: true);
}
