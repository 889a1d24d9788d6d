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
    /// Conv_BN (or Conv_BN_ACT with <paramref name="act"/>) at module path <paramref name="prefix"/>:
    /// the octave convolution's branches exist exactly as in the reference.
    /// </summary>
    public OctaveMaps ConvBn(OctaveMaps x, string prefix, int inChannels, int outChannels, double alphaIn, double alphaOut,
        int stride, int padding, bool depthwise, bool act)
    {
        var (highIn, lowIn) = Split(inChannels, alphaIn);
        var (highOut, lowOut) = Split(outChannels, alphaOut);
        if ((x.Low is not null) != (lowIn > 0) || x.High.Channels != highIn || (x.Low is { } xl0 && xl0.Channels != lowIn))
            throw new InvalidOperationException($"{prefix}: the input {x} does not split {inChannels} channels at alpha {alphaIn}.");
        bool l2lExists = alphaIn > 0 && alphaOut > 0, h2lExists = alphaOut > 0 && !depthwise, l2hExists = alphaIn > 0 && !depthwise;
        string conv = prefix + ".conv.", bnH = prefix + ".bn_h", bnL = prefix + ".bn_l";

        var xh = stride == 2 ? g.AvgPool2x2(x.High) : x.High;
        var h = g.BatchNorm(g.Conv(xh, conv + "conv_h2h.weight", 1, padding), bnH);
        FeatureMap? l = null;
        if (x.Low is not { } xl)
        {
            if (h2lExists) l = g.BatchNorm(g.Conv(g.AvgPool2x2(xh), conv + "conv_h2l.weight", 1, padding), bnL);
        }
        else
        {
            if (l2lExists) l = g.BatchNorm(g.Conv(stride == 2 ? g.AvgPool2x2(xl) : xl, conv + "conv_l2l.weight", 1, padding), bnL);
            if (l2hExists)
            {
                var l2h = g.ScaleLikeBatchNorm(g.Conv(xl, conv + "conv_l2h.weight", 1, padding), bnH);
                if (stride == 1) l2h = g.UpsampleTo(l2h, h.Height, h.Width);
                h = g.Add(h, l2h, bnH + ".sum");
            }
            if (h2lExists && l is { } lv)
            {
                var h2l = g.ScaleLikeBatchNorm(g.Conv(g.AvgPool2x2(xh), conv + "conv_h2l.weight", 1, padding), bnL);
                l = g.Add(lv, h2l, bnL + ".sum");
            }
        }
        if (h.Channels != highOut || (l?.Channels ?? 0) != lowOut)
            throw new ArgumentException($"{prefix}: the weights give {h.Channels}+{l?.Channels ?? 0} output channels, the spec {highOut}+{lowOut}.", "model");
        return act ? new OctaveMaps(g.Relu(h), l is { } la ? g.Relu(la) : null) : new OctaveMaps(h, l);
    }

    /// <summary>The reference's Bottleneck at <paramref name="prefix"/> (expansion 4).</summary>
    public OctaveMaps Bottleneck(OctaveMaps x, string prefix, int inplanes, int planes, int stride, bool downsample,
        double alphaIn, double alphaOut, double alpha, bool output)
    {
        double a = output ? 0 : alpha;
        var y = ConvBn(x, prefix + ".conv1", inplanes, planes, alphaIn, alphaOut, 1, 0, false, act: true);
        y = ConvBn(y, prefix + ".conv2", planes, planes, a, a, stride, 1, false, act: true);
        y = ConvBn(y, prefix + ".conv3", planes, planes * 4, a, a, 1, 0, false, act: false);
        var id = downsample ? ConvBn(x, prefix + ".downsample.0", inplanes, planes * 4, alphaIn, alphaOut, stride, 0, false, act: false) : x;
        return Residual(y, id, prefix);
    }

    /// <summary>The reference's BasicBlock at <paramref name="prefix"/> (two 3x3 convolutions).</summary>
    public OctaveMaps BasicBlock(OctaveMaps x, string prefix, int inplanes, int planes, int stride, bool downsample,
        double alphaIn, double alphaOut, double alpha, bool output)
    {
        double a = output ? 0 : alpha;
        var y = ConvBn(x, prefix + ".conv1", inplanes, planes, alphaIn, alphaOut, stride, 1, false, act: true);
        y = ConvBn(y, prefix + ".conv2", planes, planes, a, a, 1, 1, false, act: false);
        var id = downsample ? ConvBn(x, prefix + ".downsample.0", inplanes, planes, alphaIn, alphaOut, stride, 0, false, act: false) : x;
        return Residual(y, id, prefix);
    }

    private OctaveMaps Residual(OctaveMaps y, OctaveMaps id, string prefix)
    {
        var h = g.Relu(g.Add(y.High, id.High, prefix + ".add_h"));
        if (id.Low is not { } il) return new OctaveMaps(h, null);
        if (y.Low is not { } yl) throw new InvalidOperationException($"{prefix}: the identity has a low-frequency part, the block output none.");
        return new OctaveMaps(h, g.Relu(g.Add(yl, il, prefix + ".add_l")));
    }

    /// <summary>A plain conv, batch norm and ReLU (the stems): <paramref name="conv"/>.weight then batch norm <paramref name="bn"/>.</summary>
    public FeatureMap PlainConvBnRelu(FeatureMap x, string conv, string bn, int stride, int padding) =>
        g.Relu(g.BatchNorm(g.Conv(x, conv + ".weight", stride, padding), bn));
}
