using OctaveML.Models;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;
using F = TorchSharp.torch.nn.functional;

namespace OctaveML.TorchSharp.Modules;

/// <summary>
/// The CIFAR ResNets (depth 6n+2) with octave convolutions as a TorchSharp module (the reference's
/// <c>OctCifarResNet</c>): <c>conv1</c>, <c>bn1</c>, <c>layer1</c>..<c>layer3</c> of basic blocks, <c>fc</c>.
/// </summary>
public sealed class OctCifarResNet : Module<Tensor, Tensor>
{
    private readonly Module<Tensor, Tensor> conv1, bn1;
    private readonly OctaveSequential layer1, layer2, layer3;
    private readonly Module<Tensor, Tensor> fc;
    private readonly double _alpha;
    private int _inplanes;

    /// <summary>The network <paramref name="spec"/> describes, with PyTorch's default initialisation.</summary>
    public OctCifarResNet(OctCifarResNetSpec spec) : base(nameof(OctCifarResNet))
    {
        ArgumentNullException.ThrowIfNull(spec);
        spec.Validate();
        Spec = spec;
        _alpha = spec.Alpha;
        var planes = OctCifarResNetSpec.StagePlanes;
        int n = spec.BlocksPerStage;
        _inplanes = planes[0];
        conv1 = Conv2d(spec.InChannels, planes[0], 3, 1, 1, bias: false);
        bn1 = BatchNorm2d(planes[0]);
        double a = spec.Alpha;
        layer1 = MakeLayer(planes[0], n, 1, 0, a, false);
        layer2 = MakeLayer(planes[1], n, 2, a, a, false);
        layer3 = MakeLayer(planes[2], n, 2, a, 0, true);
        fc = Linear(planes[2], spec.NumClasses);
        RegisterComponents();
    }

    /// <summary>The description this network was built from.</summary>
    public OctCifarResNetSpec Spec { get; }

    private OctaveSequential MakeLayer(int planes, int count, int stride, double alphaIn, double alphaOut, bool output)
    {
        OctaveSequential? downsample = null;
        if (stride != 1 || _inplanes != planes || alphaIn != alphaOut)
            downsample = new OctaveSequential(new ConvBN(_inplanes, planes, 1, alphaIn, alphaOut, stride));
        var layer = new OctaveSequential(new BasicBlock(_inplanes, planes, stride, downsample, alphaIn, alphaOut, _alpha, output));
        _inplanes = planes;
        double a = output ? 0 : _alpha;
        for (int i = 1; i < count; i++) layer.Append(new BasicBlock(planes, planes, 1, null, a, a, _alpha, output));
        return layer;
    }

    /// <summary>Logits [N, classes] of images [N, C, H, W].</summary>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = F.relu(bn1.call(conv1.call(input)));
        var (h, l) = layer1.call(x, null);
        (h, l) = layer2.call(h, l);
        (h, _) = layer3.call(h, l);
        return scope.MoveToOuter(fc.call(F.adaptive_avg_pool2d(h, [1, 1]).flatten(1)));
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            conv1.Dispose(); bn1.Dispose(); layer1.Dispose(); layer2.Dispose(); layer3.Dispose(); fc.Dispose();
        }
        base.Dispose(disposing);
    }
}
