using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace OctaveML.TorchSharp.Modules;

/// <summary>The reference's <c>BasicBlock</c> (OctCifarResNet): two 3x3 ConvBNs and the residual, ReLU on each part.</summary>
public sealed class BasicBlock : OctaveModule
{
    /// <summary>Output channels over the block's channels.</summary>
    public const int Expansion = 1;

    private readonly ConvBN conv1, conv2;
    private readonly OctaveModule? downsample;

    /// <summary>The reference's BasicBlock(inplanes, planes, stride, downsample, alpha_in, alpha_out, alpha, output).</summary>
    public BasicBlock(int inplanes, int planes, int stride = 1, OctaveModule? downsample = null, double alphaIn = 0.5,
        double alphaOut = 0.5, double alpha = 0.5, bool output = false) : base(nameof(BasicBlock))
    {
        double a = output ? 0 : alpha;
        conv1 = ConvBN.WithReLU(inplanes, planes, 3, alphaIn, alphaOut, stride, 1);
        conv2 = new ConvBN(planes, planes, 3, a, a, 1, 1);
        this.downsample = downsample;
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override (Tensor High, Tensor? Low) forward(Tensor high, Tensor? low)
    {
        var (idH, idL) = (high, low);
        var (h1, l1) = conv1.call(high, low);
        var (h, l) = conv2.call(h1, l1);
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
            conv1.Dispose(); conv2.Dispose(); downsample?.Dispose();
        }
        base.Dispose(disposing);
    }
}
