using System.Globalization;
using OctaveML.Models;
using OctaveML.Nn;

namespace OctaveML.Bench;

/// <summary>One layer's work in a training step (forward and backward): FLOP and bytes a layer-by-layer engine must move.</summary>
/// <param name="Kind">What bounds alike are grouped under: "1x1 conv", "3x3 conv", "depthwise 3x3 conv", "BN+ReLU", "fc", "parameters".</param>
public sealed record RooflineLayer(string Kind, double Flops, double Bytes);

/// <summary>A kind of layer's share of the bound and the roof that bounds it ("FMA" or "memory").</summary>
public sealed record RooflinePart(string Kind, string Roof, double Seconds);

/// <summary>
/// A training step's roofline bound: each layer needs at least its FLOP at the FMA peak or its bytes at
/// the memory bandwidth, whichever takes longer; the step needs at least their sum.
/// </summary>
/// <remarks>
/// Bytes are those of an engine that runs layer by layer and reads and writes each tensor once per pass:
/// a convolution reads its input and writes its output forward, reads the output gradient and the input
/// and writes the input gradient backward (3 in + 2 out; the first layer has no input gradient); BN (+ReLU)
/// reads and writes forward and reads two, writes one backward (5 out); parameters are read forward and
/// backward, their gradients written, and SGD reads weight, gradient and momentum and writes two (8 per
/// parameter). FLOP are 3 x 2 x MACs (forward, input and weight gradients). Pools, residual adds and
/// the loss are left out, so the bound stays below what any such engine can reach.
/// </remarks>
public static class Roofline
{
    private const double Float = sizeof(float);

    /// <summary>The layers of <paramref name="model"/> for a training step on <paramref name="batch"/> images, from its <paramref name="summary"/>.</summary>
    public static IReadOnlyList<RooflineLayer> Layers(ImageClassifier model, ModelSummary summary, int batch)
    {
        var modules = model.NamedModules().ToDictionary(m => m.Name, m => m.Module);
        var layers = new List<RooflineLayer>();
        bool first = true;
        foreach (var row in summary.Layers)
        {
            double outFloats = (double)batch * (Elements(row.HighShape) + (row.LowShape is null ? 0 : Elements(row.LowShape)));
            double flops = 6.0 * row.Macs * batch;
            switch (modules[row.Name])
            {
                case ConvBN cb when cb.Conv.LastInputSize is var (h, w):
                    var c = cb.Conv;
                    double inFloats = (double)batch * ((long)c.HighIn * h * w + (long)c.LowIn * ((h + 1) / 2) * ((w + 1) / 2));
                    layers.Add(new(ConvKind(c.KernelSize, c.IsDepthwise), flops, Conv(inFloats, outFloats, first)));
                    layers.Add(new(cb.Activation ? "BN+ReLU" : "BN", 0, 5 * outFloats * Float));
                    first = false;
                    break;
                case Conv2d conv:
                    // Stride-s convolutions here keep "same" padding: the input is s times the output's side.
                    double side = (double)row.HighShape[2] * conv.Stride * row.HighShape[3] * conv.Stride;
                    layers.Add(new(ConvKind(conv.KernelSize, conv.Groups > 1 && conv.Groups == conv.InChannels), flops,
                        Conv((double)batch * conv.InChannels * side, outFloats, first)));
                    first = false;
                    break;
                case BatchNorm2d bn:
                    layers.Add(new(bn.FusedRelu ? "BN+ReLU" : "BN", 0, 5 * outFloats * Float));
                    break;
                case Linear:
                    layers.Add(new("fc", flops, 0));
                    break;
            }
        }
        layers.Add(new("parameters", 0, 8.0 * summary.TotalParameters * Float));
        return layers;
    }

    /// <summary>The bound of <paramref name="layers"/> at <paramref name="peakGflops"/> and <paramref name="memoryGbps"/>, by kind and roof, longest first.</summary>
    public static IReadOnlyList<RooflinePart> Bound(IEnumerable<RooflineLayer> layers, double peakGflops, double memoryGbps)
    {
        if (!(peakGflops > 0)) throw new ArgumentOutOfRangeException(nameof(peakGflops), peakGflops, "the FMA peak must be positive.");
        if (!(memoryGbps > 0)) throw new ArgumentOutOfRangeException(nameof(memoryGbps), memoryGbps, "the memory bandwidth must be positive.");
        var parts = new Dictionary<(string Kind, string Roof), double>();
        foreach (var l in layers)
        {
            double compute = l.Flops / (peakGflops * 1e9), memory = l.Bytes / (memoryGbps * 1e9);
            var key = (l.Kind, compute >= memory ? "FMA" : "memory");
            parts[key] = parts.GetValueOrDefault(key) + Math.Max(compute, memory);
        }
        return [.. parts.Select(p => new RooflinePart(p.Key.Kind, p.Key.Roof, p.Value)).OrderByDescending(p => p.Seconds)];
    }

    /// <summary>"bound 250 ms: BN+ReLU 120 ms (memory), depthwise 3x3 conv 70 ms (memory), ..." (parts under 0.05 ms left out).</summary>
    public static string Describe(IReadOnlyList<RooflinePart> parts) => string.Create(CultureInfo.InvariantCulture,
        $"bound {parts.Sum(p => p.Seconds) * 1e3:0} ms: {string.Join(", ", parts.Where(p => p.Seconds >= 5e-5).Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Kind} {p.Seconds * 1e3:0.#} ms ({p.Roof})")))}");

    private static string ConvKind(int kernel, bool depthwise) =>
        string.Create(CultureInfo.InvariantCulture, $"{(depthwise ? "depthwise " : "")}{kernel}x{kernel} conv");

    private static double Conv(double inFloats, double outFloats, bool first) => ((first ? 2 : 3) * inFloats + 2 * outFloats) * Float;

    private static long Elements(int[] shape)
    {
        long n = 1;
        for (int i = 1; i < shape.Length; i++) n *= shape[i]; // shape[0] is the summary's batch of 1
        return n;
    }
}
