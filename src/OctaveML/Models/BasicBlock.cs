using OctaveML.Nn;

namespace OctaveML.Models;

/// <summary>
/// The CIFAR ResNet basic block with octave convolutions (reference <c>BasicBlock</c>): 3x3
/// ConvBNAct (carrying the stride), 3x3 ConvBN, plus the identity or a <c>downsample</c> ConvBN,
/// then ReLU. Children: conv1, conv2, downsample.0.
/// </summary>
public sealed class BasicBlock : OctaveLayer, IResidualBlock
{
    private readonly ConvBNAct _conv1;
    private readonly ConvBN _conv2;
    private readonly Sequential? _downsample;
    private readonly ResidualAdd _residual = new();

    /// <summary>Creates the block; the arguments are the reference's, weights drawn from <paramref name="random"/>.</summary>
    public BasicBlock(int inplanes, int planes, int stride, Sequential? downsample, double alphaIn, double alphaOut,
        double alpha, bool output, Random random)
    {
        double a = output ? 0 : alpha;
        _conv1 = RegisterModule("conv1", new ConvBNAct(inplanes, planes, 3, alphaIn, alphaOut, stride, 1, random: random));
        _conv2 = RegisterModule("conv2", new ConvBN(planes, planes, 3, a, a, 1, 1, random: random));
        if (downsample is not null) _downsample = RegisterModule("downsample", downsample);
    }

    static int IResidualBlock.Expansion => 1;

    static OctaveLayer IResidualBlock.Create(int inplanes, int planes, int stride, Sequential? downsample, double alphaIn, double alphaOut,
        double alpha, bool output, Random random) => new BasicBlock(inplanes, planes, stride, downsample, alphaIn, alphaOut, alpha, output, random);

    /// <inheritdoc/>
    public override OctaveValue Forward(Graph graph, OctaveValue input)
    {
        var branch = _conv2.Forward(graph, _conv1.Forward(graph, input));
        var identity = _downsample is null ? input : _downsample.Forward(graph, input);
        return _residual.Forward(graph, branch, identity);
    }
}
