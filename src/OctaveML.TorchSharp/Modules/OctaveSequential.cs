using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace OctaveML.TorchSharp.Modules;

/// <summary>
/// nn.Sequential for octave pairs: children named "0", "1", ... run in order. An octave layer maps the
/// pair; a plain <c>Module&lt;Tensor, Tensor&gt;</c> (MobileNet's stem) maps a plain input, as Python's
/// Sequential passes whatever each child returns.
/// </summary>
public sealed class OctaveSequential : OctaveModule
{
    private readonly List<nn.Module> _layers = new();

    /// <summary>The layers, each an <see cref="OctaveModule"/> or a <c>Module&lt;Tensor, Tensor&gt;</c>.</summary>
    public OctaveSequential(params nn.Module[] layers) : base("Sequential")
    {
        foreach (var layer in layers) Append(layer);
    }

    /// <summary>Adds a layer at the end, registered under its index.</summary>
    public void Append(nn.Module layer)
    {
        ArgumentNullException.ThrowIfNull(layer);
        if (layer is not (OctaveModule or Module<Tensor, Tensor>))
            throw new ArgumentException($"{layer.GetType().Name} is neither an OctaveModule nor a Module<Tensor, Tensor>.", nameof(layer));
        register_module(_layers.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), layer);
        _layers.Add(layer);
    }

    /// <summary>The number of layers.</summary>
    public int Count => _layers.Count;

    /// <inheritdoc/>
    public override (Tensor High, Tensor? Low) forward(Tensor high, Tensor? low)
    {
        foreach (var layer in _layers)
        {
            if (layer is OctaveModule octave) (high, low) = octave.call(high, low);
            else if (low is null) high = ((Module<Tensor, Tensor>)layer).call(high);
            else throw new InvalidOperationException($"layer {layer.GetName()} takes a plain tensor but got an octave pair.");
        }
        return (high, low);
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing) foreach (var layer in _layers) layer.Dispose();
        base.Dispose(disposing);
    }
}
