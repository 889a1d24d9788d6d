using OctaveML.Nn;

namespace OctaveML.Models;

/// <summary>
/// The CIFAR ResNet basic block with octave convolutions (reference <c>BasicBlock</c>): 3x3
/// ConvBNAct (carrying the stride), 3x3 ConvBN, plus the identity or a <c>downsample</c> ConvBN,
/// then ReLU. Children: conv1, conv2, downsample.0.
/// </summary>
public sealed class BasicBlock : Module, IOctaveLayer
{
    private readonly ConvBNAct _conv1;
    private readonly ConvBN _conv2;
    private readonly Sequential? _downsample;
    private readonly ResidualAdd _residual;

    public BasicBlock(int inplanes, int planes, int stride, Sequential? downsample, double alphaIn, double alphaOut,
        double alpha, bool output, Random random)
    {
        _residual = new ResidualAdd(this);
        double a = output ? 0 : alpha;
        _conv1 = RegisterModule("conv1", new ConvBNAct(inplanes, planes, 3, alphaIn, alphaOut, stride, 1, random: random));
        _conv2 = RegisterModule("conv2", new ConvBN(planes, planes, 3, a, a, 1, 1, random: random));
        if (downsample is not null) _downsample = RegisterModule("downsample", downsample);
    }

    /// <inheritdoc/>
    public OctaveTensor Forward(OctaveTensor input)
    {
        var branch = _conv2.Forward(_conv1.Forward(input));
        var identity = _downsample is null ? input : _downsample.Forward(input);
        return _residual.Forward(branch, identity);
    }

    /// <inheritdoc/>
    public OctaveTensor Backward(OctaveTensor gradOutput)
    {
        var g = _residual.Backward(gradOutput);
        var g2 = _conv2.Backward(g);
        var gx = _conv1.Backward(g2);
        Release(g2);
        return BlockGrad.AddIdentity(this, gx, g, _downsample);
    }
}
