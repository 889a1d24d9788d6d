using TorchSharp;
using static TorchSharp.torch;

namespace OctaveML.TorchSharp.Modules;

/// <summary>
/// A layer over octave tensor pairs: takes the high-frequency map and the low-frequency map (null for a
/// plain input) and returns the pair it produces (low null for a plain output), as the reference's
/// modules take and return Python tuples.
/// </summary>
public abstract class OctaveModule : nn.Module<Tensor, Tensor?, (Tensor High, Tensor? Low)>
{
    /// <summary>A module named <paramref name="name"/> (the type name TorchSharp reports).</summary>
    protected OctaveModule(string name) : base(name) { }
}
