using OctaveML.Nn;
using OctaveML.Tensors;

namespace OctaveML.Bench;

/// <summary>
/// One layer's forward and backward replayed alone, at the shapes it saw in a model's step, on random
/// inputs and output gradients made once (no allocation per replay, as in the real step).
/// </summary>
internal sealed class LayerReplay
{
    private readonly IOp _op;
    private readonly Tensor?[] _inputs, _outputs, _gradOutputs, _gradInputs;

    /// <param name="op">The layer.</param>
    /// <param name="rng">Source of the random inputs and gradients.</param>
    /// <param name="inputs">Input shapes (null where absent).</param>
    /// <param name="outputs">Output shapes (null where absent).</param>
    /// <param name="inputGradients">False: backward computes only the parameter gradients (a network's first layer).</param>
    public LayerReplay(IOp op, Rng rng, int[]?[] inputs, int[]?[] outputs, bool inputGradients = true)
    {
        _op = op;
        Tensor? Random(int[]? shape)
        {
            if (shape is null) return null;
            var t = Tensor.Uninitialized(shape);
            rng.FillNormal(t.Data, 0, 1);
            return t;
        }
        _inputs = inputs.Select(Random).ToArray();
        _outputs = outputs.Select(s => s is null ? null : Tensor.Uninitialized(s)).ToArray();
        _gradOutputs = outputs.Select(Random).ToArray();
        _gradInputs = inputs.Select(s => s is null || !inputGradients ? null : Tensor.Uninitialized(s)).ToArray();
    }

    public void Forward() => _op.Forward(_inputs, _outputs);

    /// <summary>The backward of the last <see cref="Forward"/>.</summary>
    public void Backward() => _op.Backward(_inputs, _outputs, _gradOutputs, _gradInputs);
}
