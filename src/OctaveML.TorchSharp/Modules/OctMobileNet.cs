using OctaveML.Models;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;
using F = TorchSharp.torch.nn.functional;

namespace OctaveML.TorchSharp.Modules;

/// <summary>
/// MobileNetV1 with octave convolutions as a TorchSharp module (the reference's <c>OctMobileNet</c>):
/// <c>features</c> (0: the stem conv, bn, relu; 1..13: a depthwise and a pointwise ConvBNAct) and <c>fc</c>.
/// </summary>
public sealed class OctMobileNet : Module<Tensor, Tensor>
{
    private readonly OctaveSequential features;
    private readonly Module<Tensor, Tensor> fc;

    /// <summary>The network <paramref name="spec"/> describes, with PyTorch's default initialisation.</summary>
    public OctMobileNet(OctMobileNetSpec spec) : base(nameof(OctMobileNet))
    {
        ArgumentNullException.ThrowIfNull(spec);
        spec.Validate();
        Spec = spec;
        double a = spec.Alpha;
        int stem = spec.Width(32);
        features = new OctaveSequential(Sequential(Conv2d(spec.InChannels, stem, 3, 2, 1, bias: false), BatchNorm2d(stem), ReLU()));
        foreach (var (cin, cout, stride, octaveIn, octaveOut) in OctMobileNetSpec.BlockTable)
        {
            int inp = spec.Width(cin), oup = spec.Width(cout);
            double ain = octaveIn ? a : 0, aout = octaveOut ? a : 0;
            // The reference's conv_dw: the depthwise conv keeps the input's alpha, the pointwise conv changes it.
            features.Append(new OctaveSequential(
                ConvBN.WithReLU(inp, inp, 3, ain, ain, stride, 1, groups: inp),
                ConvBN.WithReLU(inp, oup, 1, ain, aout)));
        }
        fc = Linear(spec.Width(1024), spec.NumClasses);
        RegisterComponents();
    }

    /// <summary>The description this network was built from.</summary>
    public OctMobileNetSpec Spec { get; }

    /// <summary>Logits [N, classes] of images [N, C, H, W].</summary>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var (h, _) = features.call(input, null);
        return scope.MoveToOuter(fc.call(F.adaptive_avg_pool2d(h, [1, 1]).flatten(1)));
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            features.Dispose(); fc.Dispose();
        }
        base.Dispose(disposing);
    }
}
