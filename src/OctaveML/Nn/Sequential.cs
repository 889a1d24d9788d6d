namespace OctaveML.Nn;

/// <summary>
/// An ordered container whose children are named "0", "1", ... as in PyTorch's nn.Sequential, so
/// that state_dict names such as <c>layer1.0.conv1.conv.conv_h2h.weight</c> or
/// <c>features.0.1.running_mean</c> come out the same. Layers that take octave tensors run in
/// order through <see cref="Forward"/>/<see cref="Backward"/>; plain layers are applied to the
/// high part (they only ever follow plain layers).
/// </summary>
public sealed class Sequential : Module, IOctaveLayer
{
    private readonly List<Module> _layers = new();

    /// <summary>A container of <paramref name="layers"/> (each an <see cref="ILayer"/> or <see cref="IOctaveLayer"/>).</summary>
    public Sequential(params Module[] layers)
    {
        foreach (var layer in layers) Add(layer);
    }

    /// <summary>Appends a layer, named by its position.</summary>
    public void Add(Module layer)
    {
        if (layer is not (ILayer or IOctaveLayer))
            throw new ArgumentException($"{layer.GetType().Name} is neither an ILayer nor an IOctaveLayer.", nameof(layer));
        RegisterModule(_layers.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), layer);
        _layers.Add(layer);
    }

    /// <summary>The layers in order.</summary>
    public IReadOnlyList<Module> Layers => _layers;

    /// <inheritdoc/>
    public OctaveTensor Forward(OctaveTensor input)
    {
        foreach (var layer in _layers)
            input = layer is IOctaveLayer o ? o.Forward(input) : PlainOnly(layer, input).Forward(input.High);
        return input;
    }

    /// <inheritdoc/>
    public OctaveTensor Backward(OctaveTensor gradOutput)
    {
        var g = gradOutput;
        for (int i = _layers.Count - 1; i >= 0; i--)
        {
            var layer = _layers[i];
            var next = layer is IOctaveLayer o ? o.Backward(g) : PlainOnly(layer, g).Backward(g.High);
            // The caller owns gradOutput; the gradients made in between are dead once consumed.
            Release(g, next, gradOutput);
            g = next;
        }
        return g;
    }

    private static ILayer PlainOnly(Module layer, OctaveTensor t)
    {
        if (t.Low is not null)
            throw new InvalidOperationException($"{layer.GetType().Name} is a plain layer but received an octave tensor with a low-frequency part.");
        return (ILayer)layer;
    }
}
