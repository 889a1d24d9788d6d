namespace OctaveML.Onnx;

/// <summary>
/// The reference's octave layers (octref.py OctaveConv, Conv_BN, Bottleneck, BasicBlock) as ONNX nodes.
/// Batch norm is linear, so BN(h2h + up(l2h)) is written BN(h2h) + up(scale * l2h): every convolution
/// is then followed directly by its BatchNormalization or by a constant Mul, which ONNX Runtime folds
/// into the convolution's weights when it loads the model (the Conv+BN(+Relu) fusions stay open).
/// </summary>
internal sealed class OctaveLayers(OnnxGraphBuilder g)
{
    /// <summary>(high, low) channels of a C-channel octave tensor: low = int(alpha * C).</summary>
    public static (int High, int Low) Split(int channels, double alpha)
    {
        int low = (int)(alpha * channels);
        return (channels - low, low);
    }

    /// <summary>
    /// Conv_BN (or Conv_BN_ACT with <paramref name="act"/>) at module path <paramref name="prefix"/>, plus
    /// <paramref name="residual"/> before the activation when given (a block's shortcut): the octave convolution's
    /// branches exist exactly as in the reference. The sums are ordered for ONNX Runtime, which fuses one Add (and
    /// the ReLU after it) into the convolution that produced its first operand: the high output is
    /// h2h + (up(l2h) + shortcut), the low output h2l + (l2l + shortcut), so only up(l2h) + shortcut stays a node.
    /// </summary>
    public OctaveMaps ConvBn(OctaveMaps x, string prefix, int inChannels, int outChannels, double alphaIn, double alphaOut,
        int stride, int padding, bool depthwise, bool act, OctaveMaps? residual = null)
    {
        var (highIn, lowIn) = Split(inChannels, alphaIn);
        var (highOut, lowOut) = Split(outChannels, alphaOut);
        if ((x.Low is not null) != (lowIn > 0) || x.High.Channels != highIn || (x.Low is { } xl0 && xl0.Channels != lowIn))
            throw new InvalidOperationException($"{prefix}: the input {x} does not split {inChannels} channels at alpha {alphaIn}.");
        bool l2lExists = alphaIn > 0 && alphaOut > 0, h2lExists = alphaOut > 0 && !depthwise, l2hExists = alphaIn > 0 && !depthwise;
        string conv = prefix + ".conv.", bnH = prefix + ".bn_h", bnL = prefix + ".bn_l";

        var xh = stride == 2 ? g.AvgPool2x2(x.High) : x.High;
        var h = g.BatchNorm(g.Conv(xh, conv + "conv_h2h.weight", 1, padding), bnH);
        var hSum = residual?.High;
        if (x.Low is { } xl && l2hExists)
        {
            var l2h = g.ScaleLikeBatchNorm(g.Conv(xl, conv + "conv_l2h.weight", 1, padding), bnH);
            if (stride == 1) l2h = g.UpsampleTo(l2h, h.Height, h.Width);
            hSum = hSum is { } highShortcut ? g.Add(l2h, highShortcut, bnH + ".shortcut") : l2h;
        }
        if (hSum is { } sum) h = g.Add(h, sum, bnH + ".sum");

        // The low output's first part takes its batch norm (and the shortcut): l2l, or h2l in the first octave layer.
        FeatureMap? l = null;
        if (x.Low is { } xl2 && l2lExists) l = g.BatchNorm(g.Conv(stride == 2 ? g.AvgPool2x2(xl2) : xl2, conv + "conv_l2l.weight", 1, padding), bnL);
        else if (x.Low is null && h2lExists) l = g.BatchNorm(g.Conv(g.AvgPool2x2(xh), conv + "conv_h2l.weight", 1, padding), bnL);
        if (residual?.Low is { } shortcut)
            l = l is { } first ? g.Add(first, shortcut, bnL + ".shortcut")
                : throw new InvalidOperationException($"{prefix}: the shortcut has a low-frequency part, the layer's output none.");
        // h2l beside l2l goes first in its sum: its convolution takes the sum (l2l's has the shortcut already).
        if (x.Low is not null && h2lExists && l is { } l2l)
            l = g.Add(g.ScaleLikeBatchNorm(g.Conv(g.AvgPool2x2(xh), conv + "conv_h2l.weight", 1, padding), bnL), l2l, bnL + ".sum");
        if (h.Channels != highOut || (l?.Channels ?? 0) != lowOut)
            throw new ArgumentException($"{prefix}: the weights give {h.Channels}+{l?.Channels ?? 0} output channels, the spec {highOut}+{lowOut}.", "model");
        if (residual is { } r && (r.High.Channels != highOut || (r.Low?.Channels ?? 0) != lowOut))
            throw new InvalidOperationException($"{prefix}: the shortcut {r} does not match the output's {highOut}+{lowOut} channels.");
        return act ? new OctaveMaps(g.Relu(h), l is { } la ? g.Relu(la) : null) : new OctaveMaps(h, l);
    }

    /// <summary>The reference's Bottleneck at <paramref name="prefix"/> (expansion 4): conv3 adds the shortcut before its ReLU.</summary>
    public OctaveMaps Bottleneck(OctaveMaps x, string prefix, int inplanes, int planes, int stride, bool downsample,
        double alphaIn, double alphaOut, double alpha, bool output)
    {
        double a = output ? 0 : alpha;
        var id = downsample ? ConvBn(x, prefix + ".downsample.0", inplanes, planes * 4, alphaIn, alphaOut, stride, 0, false, act: false) : x;
        var y = ConvBn(x, prefix + ".conv1", inplanes, planes, alphaIn, alphaOut, 1, 0, false, act: true);
        y = ConvBn(y, prefix + ".conv2", planes, planes, a, a, stride, 1, false, act: true);
        return ConvBn(y, prefix + ".conv3", planes, planes * 4, a, a, 1, 0, false, act: true, residual: id);
    }

    /// <summary>The reference's BasicBlock at <paramref name="prefix"/> (two 3x3 convolutions): conv2 adds the shortcut before its ReLU.</summary>
    public OctaveMaps BasicBlock(OctaveMaps x, string prefix, int inplanes, int planes, int stride, bool downsample,
        double alphaIn, double alphaOut, double alpha, bool output)
    {
        double a = output ? 0 : alpha;
        var id = downsample ? ConvBn(x, prefix + ".downsample.0", inplanes, planes, alphaIn, alphaOut, stride, 0, false, act: false) : x;
        var y = ConvBn(x, prefix + ".conv1", inplanes, planes, alphaIn, alphaOut, stride, 1, false, act: true);
        return ConvBn(y, prefix + ".conv2", planes, planes, a, a, 1, 1, false, act: true, residual: id);
    }

    /// <summary>A plain conv, batch norm and ReLU (the stems): <paramref name="conv"/>.weight then batch norm <paramref name="bn"/>.</summary>
    public FeatureMap PlainConvBnRelu(FeatureMap x, string conv, string bn, int stride, int padding) =>
        g.Relu(g.BatchNorm(g.Conv(x, conv + ".weight", stride, padding), bn));
}
