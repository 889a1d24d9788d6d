using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace OctaveML.TorchSharp.Modules;

/// <summary>
/// The reference's <c>OctaveConv</c>: up to four bias-free convolutions between the high- and
/// low-frequency parts (children <c>conv_h2h</c>, <c>conv_h2l</c>, <c>conv_l2h</c>, <c>conv_l2l</c>,
/// present exactly as in the reference). Stride 2 average-pools the input and convolves at stride 1;
/// h2l pools once more; at stride 1 the l2h result is upsampled 2x and cropped to the high size.
/// </summary>
public sealed class OctaveConv : OctaveModule
{
    private readonly Module<Tensor, Tensor>? conv_l2l, conv_l2h, conv_h2l, conv_h2h;
    private readonly int _stride;
    private readonly bool _isDepthwise;

    /// <summary>The reference's OctaveConv(in_channels, out_channels, kernel_size, alpha_in, alpha_out, stride, padding, dilation, groups).</summary>
    public OctaveConv(int inChannels, int outChannels, int kernelSize, double alphaIn = 0.5, double alphaOut = 0.5,
        int stride = 1, int padding = 0, int dilation = 1, int groups = 1) : base(nameof(OctaveConv))
    {
        if (stride is not (1 or 2)) throw new ArgumentOutOfRangeException(nameof(stride), stride, "stride must be 1 or 2.");
        if (!(alphaIn >= 0 && alphaIn <= 1)) throw new ArgumentOutOfRangeException(nameof(alphaIn), alphaIn, "alphaIn must be in [0, 1].");
        if (!(alphaOut >= 0 && alphaOut <= 1)) throw new ArgumentOutOfRangeException(nameof(alphaOut), alphaOut, "alphaOut must be in [0, 1].");
        _stride = stride;
        _isDepthwise = groups == inChannels;
        var (hin, lin) = OctaveOps.Split(inChannels, alphaIn);
        var (hout, lout) = OctaveOps.Split(outChannels, alphaOut);
        Module<Tensor, Tensor> Make(int i, int o, int g) => Conv2d(i, o, kernelSize, 1, padding, dilation, groups: g, bias: false);
        // Presence and group counts as the reference (Python's math.ceil on doubles); registration in its order.
        if (alphaIn != 0 && alphaOut != 0) conv_l2l = Make(lin, lout, (int)Math.Ceiling(alphaIn * groups));
        if (alphaIn != 0 && alphaOut != 1 && !_isDepthwise) conv_l2h = Make(lin, hout, groups);
        if (alphaIn != 1 && alphaOut != 0 && !_isDepthwise) conv_h2l = Make(hin, lout, groups);
        if (alphaIn != 1 && alphaOut != 1) conv_h2h = Make(hin, hout, (int)Math.Ceiling(groups - alphaIn * groups));
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override (Tensor High, Tensor? Low) forward(Tensor high, Tensor? low)
    {
        if (conv_h2h is null) throw new InvalidOperationException("OctaveConv with alpha_in or alpha_out 1 has no high-frequency path; the models never build one.");
        var xh = _stride == 2 ? OctaveOps.Pool(high) : high;
        var h2h = conv_h2h.call(xh);
        var h2l = conv_h2l?.call(OctaveOps.Pool(xh));
        if (low is null) return (h2h, h2l);
        var l2l = conv_l2l?.call(_stride == 2 ? OctaveOps.Pool(low) : low);
        if (_isDepthwise) return (h2h, l2l);
        if (conv_l2h is null) throw new InvalidOperationException("OctaveConv got a low-frequency input but has no low-to-high path.");
        var l2h = conv_l2h.call(low);
        if (_stride == 1) l2h = OctaveOps.UpTo(l2h, h2h);
        var yl = h2l is not null && l2l is not null ? h2l + l2l : null;
        return (l2h + h2h, yl);
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            conv_l2l?.Dispose(); conv_l2h?.Dispose(); conv_h2l?.Dispose(); conv_h2h?.Dispose();
        }
        base.Dispose(disposing);
    }
}
