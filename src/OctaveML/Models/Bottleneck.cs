using OctaveML.Nn;

namespace OctaveML.Models;

/// <summary>
/// The OctResNet bottleneck (reference <c>Bottleneck</c>): 1x1 ConvBNAct, 3x3 ConvBNAct (carrying the
/// stride), 1x1 ConvBN to 4x the planes, plus the identity or a <c>downsample</c> ConvBN, then ReLU.
/// Children: conv1, conv2, conv3, downsample.0.
/// </summary>
public sealed class Bottleneck : Module, IOctaveLayer
{
    /// <summary>Output channels per plane.</summary>
    public const int Expansion = 4;

    private readonly ConvBNAct _conv1, _conv2;
    private readonly ConvBN _conv3;
    private readonly Sequential? _downsample;
    private readonly ResidualAdd _residual;

    public Bottleneck(int inplanes, int planes, int stride, Sequential? downsample, double alphaIn, double alphaOut,
        double alpha, bool output, Random random)
    {
        _residual = new ResidualAdd(this);
        double a = output ? 0 : alpha;
        _conv1 = RegisterModule("conv1", new ConvBNAct(inplanes, planes, 1, alphaIn, alphaOut, random: random));
        _conv2 = RegisterModule("conv2", new ConvBNAct(planes, planes, 3, a, a, stride, 1, random: random));
        _conv3 = RegisterModule("conv3", new ConvBN(planes, planes * Expansion, 1, a, a, random: random));
        if (downsample is not null) _downsample = RegisterModule("downsample", downsample);
    }

    /// <inheritdoc/>
    public OctaveTensor Forward(OctaveTensor input)
    {
        var branch = _conv3.Forward(_conv2.Forward(_conv1.Forward(input)));
        var identity = _downsample is null ? input : _downsample.Forward(input);
        return _residual.Forward(branch, identity);
    }

    /// <inheritdoc/>
    public OctaveTensor Backward(OctaveTensor gradOutput)
    {
        var g = _residual.Backward(gradOutput);
        var g3 = _conv3.Backward(g);
        var g2 = _conv2.Backward(g3);
        Release(g3);
        var gx = _conv1.Backward(g2);
        Release(g2);
        return BlockGrad.AddIdentity(this, gx, g, _downsample);
    }
}
