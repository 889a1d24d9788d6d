namespace OctaveML.Nn;

/// <summary>
/// An ordered container whose children are named "0", "1", ... as in PyTorch's nn.Sequential, so
/// that state_dict names such as <c>layer1.0.conv1.conv.conv_h2h.weight</c> or
/// <c>features.0.1.running_mean</c> come out the same. Its forward chains the layers; plain layers
/// are applied to the high part (they only ever follow plain layers).
/// </summary>
public sealed class Sequential : OctaveLayer
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
    public override OctaveValue Forward(Graph graph, OctaveValue input)
    {
        foreach (var layer in _layers)
        {
            if (layer is IOctaveLayer octave) input = octave.Forward(graph, input);
            else if (input.Low is null) input = ((ILayer)layer).Forward(graph, input.High);
            else throw new InvalidOperationException($"{layer.GetType().Name} is a plain layer but receives an octave pair with a low-frequency part.");
        }
        return input;
    }
}
