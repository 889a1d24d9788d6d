using OctaveML.Nn;
using OctaveML.Tensors;
using OctaveML.Tests.Infrastructure;

namespace OctaveML.Tests.Nn;

/// <summary>Reads the cases of test/golden/octave.safetensors (tools/golden/gen_octave.py).</summary>
internal sealed record OctaveCase(string Name, int Kind, int InChannels, int OutChannels, int Kernel, double AlphaIn, double AlphaOut,
    int Stride, int Padding, int Dilation, int Groups, int Batch, int Height, int Width)
{
    public static Dictionary<string, Tensor> File => Golden.Load("octave");

    public static OctaveCase Get(string name)
    {
        float[] p = File[name + "/params"].Data;
        return new OctaveCase(name, (int)p[0], (int)p[1], (int)p[2], (int)p[3], p[4], p[5], (int)p[6], (int)p[7], (int)p[8], (int)p[9], (int)p[10], (int)p[11], (int)p[12]);
    }

    public static IEnumerable<object[]> OfKind(int kind) =>
        Golden.Cases("octave").Where(c => Get(c).Kind == kind).Select(c => new object[] { c });

    public Tensor this[string key] => File[Name + "/" + key];

    public Tensor? Optional(string key) => File.TryGetValue(Name + "/" + key, out var t) ? t : null;

    /// <summary>The stored state dict (keys "w.NAME" of the case, prefix removed).</summary>
    public Dictionary<string, Tensor> StateDict() => File
        .Where(kv => kv.Key.StartsWith(Name + "/w.", StringComparison.Ordinal))
        .ToDictionary(kv => kv.Key[(Name.Length + 3)..], kv => kv.Value.Clone());

    public OctaveConv NewConv() => new(InChannels, OutChannels, Kernel, AlphaIn, AlphaOut, Stride, Padding, Dilation, Groups, new Random(1));

    public ConvBNAct NewConvBNAct() => new(InChannels, OutChannels, Kernel, AlphaIn, AlphaOut, Stride, Padding, Dilation, Groups, new Random(1));

    public OctaveTensor Input(string suffix = "") => new(this["x_h" + suffix].Clone(), Optional("x_l" + suffix)?.Clone());
}
