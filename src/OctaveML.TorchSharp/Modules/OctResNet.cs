using OctaveML.Models;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;
using F = TorchSharp.torch.nn.functional;

namespace OctaveML.TorchSharp.Modules;

/// <summary>
/// OctResNet-26/50/101/152/200 as a TorchSharp module (the reference's <c>OctResNet</c>, laid out as
/// TorchVision's ResNet): stem <c>conv1</c>, <c>bn1</c>, <c>maxpool</c>; <c>layer1</c>..<c>layer4</c> of
/// bottlenecks; <c>fc</c>. Its state_dict keys are the managed engine's.
/// </summary>
public sealed class OctResNet : Module<Tensor, Tensor>
{
    private readonly Module<Tensor, Tensor> conv1, bn1, maxpool;
    private readonly OctaveSequential layer1, layer2, layer3, layer4;
    private readonly Module<Tensor, Tensor> fc;
    private readonly double _alpha;
    private int _inplanes = 64;

    /// <summary>The network <paramref name="spec"/> describes, with PyTorch's default initialisation.</summary>
    public OctResNet(OctResNetSpec spec) : base(nameof(OctResNet))
    {
        ArgumentNullException.ThrowIfNull(spec);
        spec.Validate();
        Spec = spec;
        _alpha = spec.Alpha;
        var blocks = spec.Blocks;
        var planes = OctResNetSpec.StagePlanes;
        bool imagenet = spec.Stem == ResNetStem.ImageNet;
        conv1 = imagenet ? Conv2d(spec.InChannels, 64, 7, 2, 3, bias: false) : Conv2d(spec.InChannels, 64, 3, 1, 1, bias: false);
        bn1 = BatchNorm2d(64);
        maxpool = imagenet ? MaxPool2d(3, 2, 1) : Identity();
        double a = spec.Alpha;
        layer1 = MakeLayer(planes[0], blocks[0], 1, 0, a, false);
        layer2 = MakeLayer(planes[1], blocks[1], 2, a, a, false);
        layer3 = MakeLayer(planes[2], blocks[2], 2, a, a, false);
        layer4 = MakeLayer(planes[3], blocks[3], 2, a, 0, true);
        fc = Linear(planes[3] * Bottleneck.Expansion, spec.NumClasses);
        RegisterComponents();
    }

    /// <summary>The description this network was built from.</summary>
    public OctResNetSpec Spec { get; }

    private OctaveSequential MakeLayer(int planes, int count, int stride, double alphaIn, double alphaOut, bool output)
    {
        OctaveSequential? downsample = null;
        if (stride != 1 || _inplanes != planes * Bottleneck.Expansion)
            downsample = new OctaveSequential(new ConvBN(_inplanes, planes * Bottleneck.Expansion, 1, alphaIn, alphaOut, stride));
        var layer = new OctaveSequential(new Bottleneck(_inplanes, planes, stride, downsample, alphaIn, alphaOut, _alpha, output));
        _inplanes = planes * Bottleneck.Expansion;
        double a = output ? 0 : _alpha;
        for (int i = 1; i < count; i++) layer.Append(new Bottleneck(_inplanes, planes, 1, null, a, a, _alpha, output));
        return layer;
    }

    /// <summary>Logits [N, classes] of images [N, C, H, W].</summary>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = maxpool.call(F.relu(bn1.call(conv1.call(input))));
        var (h, l) = layer1.call(x, null);
        (h, l) = layer2.call(h, l);
        (h, l) = layer3.call(h, l);
        (h, _) = layer4.call(h, l);
        return scope.MoveToOuter(fc.call(F.adaptive_avg_pool2d(h, [1, 1]).flatten(1)));
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            conv1.Dispose(); bn1.Dispose(); maxpool.Dispose();
            layer1.Dispose(); layer2.Dispose(); layer3.Dispose(); layer4.Dispose(); fc.Dispose();
        }
        base.Dispose(disposing);
    }
}
