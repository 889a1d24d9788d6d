using OctaveML.Tensors;

namespace OctaveML.Nn;

/// <summary>
/// A module on plain tensors whose forward is a declaration over graph values. Called on tensors, it
/// runs that declaration through a <see cref="GraphExecutor"/> of its own: fresh outputs and input
/// gradients, and the activations of the last forward kept for one backward (in eval mode too).
/// </summary>
public abstract class Layer : Module, ILayer
{
    private GraphExecutor? _eager;

    /// <inheritdoc/>
    public abstract Value Forward(Graph graph, Value input);

    /// <inheritdoc/>
    public Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return Eager.Forward([input], keepForBackward: true)[0]!;
    }

    /// <inheritdoc/>
    public Tensor Backward(Tensor gradOutput)
    {
        ArgumentNullException.ThrowIfNull(gradOutput);
        return Eager.Backward([gradOutput])[0]!;
    }

    private GraphExecutor Eager => _eager ??= new GraphExecutor((g, x) => [Forward(g, x[0]!.Value)], inputGradients: true);
}
