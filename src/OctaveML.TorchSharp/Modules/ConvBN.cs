using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;
using F = TorchSharp.torch.nn.functional;

namespace OctaveML.TorchSharp.Modules;

/// <summary>
/// The reference's <c>Conv_BN</c> (and, with <c>act</c>, <c>Conv_BN_ACT</c>): an octave convolution
/// (child <c>conv</c>) and a batch norm per output part (<c>bn_h</c>, <c>bn_l</c>), then ReLU with act.
/// </summary>
public sealed class ConvBN : OctaveModule
{
    private readonly OctaveConv conv;
    private readonly Module<Tensor, Tensor>? bn_h, bn_l;
    private readonly bool _act;

    /// <summary>The reference's Conv_BN(in_channels, out_channels, kernel_size, alpha_in, alpha_out, stride, padding, dilation, groups, act).</summary>
    public ConvBN(int inChannels, int outChannels, int kernelSize, double alphaIn = 0.5, double alphaOut = 0.5,
        int stride = 1, int padding = 0, int dilation = 1, int groups = 1, bool act = false) : base(act ? "ConvBNAct" : nameof(ConvBN))
    {
        conv = new OctaveConv(inChannels, outChannels, kernelSize, alphaIn, alphaOut, stride, padding, dilation, groups);
        var (hout, lout) = OctaveOps.Split(outChannels, alphaOut);
        if (alphaOut != 1) bn_h = BatchNorm2d(hout);
        if (alphaOut != 0) bn_l = BatchNorm2d(lout);
        _act = act;
        RegisterComponents();
    }

    /// <summary>The reference's Conv_BN_ACT: <see cref="ConvBN"/> followed by ReLU on both parts.</summary>
    public static ConvBN WithReLU(int inChannels, int outChannels, int kernelSize, double alphaIn = 0.5, double alphaOut = 0.5,
        int stride = 1, int padding = 0, int dilation = 1, int groups = 1) =>
        new(inChannels, outChannels, kernelSize, alphaIn, alphaOut, stride, padding, dilation, groups, act: true);

    /// <inheritdoc/>
    public override (Tensor High, Tensor? Low) forward(Tensor high, Tensor? low)
    {
        var (h, l) = conv.call(high, low);
        h = bn_h!.call(h);
        if (l is not null) l = bn_l!.call(l);
        if (_act)
        {
            h = F.relu(h);
            if (l is not null) l = F.relu(l);
        }
        return (h, l);
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            conv.Dispose(); bn_h?.Dispose(); bn_l?.Dispose();
        }
        base.Dispose(disposing);
    }
}
