using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace OctaveML.TorchSharp.Modules;

/// <summary>The reference's <c>Bottleneck</c> (OctResNet): 1x1, 3x3 (carrying the stride) and 1x1 ConvBNs and the residual.</summary>
public sealed class Bottleneck : OctaveModule
{
    /// <summary>Output channels over the block's middle channels.</summary>
    public const int Expansion = 4;

    private readonly ConvBN conv1, conv2, conv3;
    private readonly OctaveModule? downsample;

    /// <summary>The reference's Bottleneck(inplanes, planes, stride, downsample, alpha_in, alpha_out, alpha, output).</summary>
    public Bottleneck(int inplanes, int planes, int stride = 1, OctaveModule? downsample = null, double alphaIn = 0.5,
        double alphaOut = 0.5, double alpha = 0.5, bool output = false) : base(nameof(Bottleneck))
    {
        double a = output ? 0 : alpha;
        conv1 = ConvBN.WithReLU(inplanes, planes, 1, alphaIn, alphaOut);
        conv2 = ConvBN.WithReLU(planes, planes, 3, a, a, stride, 1);
        conv3 = new ConvBN(planes, planes * Expansion, 1, a, a);
        this.downsample = downsample;
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override (Tensor High, Tensor? Low) forward(Tensor high, Tensor? low)
    {
        var (idH, idL) = (high, low);
        var (h1, l1) = conv1.call(high, low);
        var (h2, l2) = conv2.call(h1, l1);
        var (h, l) = conv3.call(h2, l2);
        if (downsample is not null) (idH, idL) = downsample.call(high, low);
        h = F.relu(h + idH);
        l = idL is not null ? F.relu(l! + idL) : null;
        return (h, l);
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            conv1.Dispose(); conv2.Dispose(); conv3.Dispose(); downsample?.Dispose();
        }
        base.Dispose(disposing);
    }
}
