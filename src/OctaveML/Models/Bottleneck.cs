using OctaveML.Nn;

namespace OctaveML.Models;

/// <summary>
/// The OctResNet bottleneck (reference <c>Bottleneck</c>): 1x1 ConvBNAct, 3x3 ConvBNAct (carrying the
/// stride), 1x1 ConvBN to 4x the planes, plus the identity or a <c>downsample</c> ConvBN, then ReLU.
/// Children: conv1, conv2, conv3, downsample.0.
/// </summary>
public sealed class Bottleneck : OctaveLayer, IResidualBlock
{
    private readonly ConvBNAct _conv1, _conv2;
    private readonly ConvBN _conv3;
    private readonly Sequential? _downsample;
    private readonly ResidualAdd _residual = new();

    /// <summary>Creates the block; the arguments are the reference's, weights drawn from <paramref name="random"/>.</summary>
    public Bottleneck(int inplanes, int planes, int stride, Sequential? downsample, double alphaIn, double alphaOut,
        double alpha, bool output, Random random)
    {
        double a = output ? 0 : alpha;
        _conv1 = RegisterModule("conv1", new ConvBNAct(inplanes, planes, 1, alphaIn, alphaOut, random: random));
        _conv2 = RegisterModule("conv2", new ConvBNAct(planes, planes, 3, a, a, stride, 1, random: random));
        _conv3 = RegisterModule("conv3", new ConvBN(planes, planes * OctResNetSpec.Expansion, 1, a, a, random: random));
        if (downsample is not null) _downsample = RegisterModule("downsample", downsample);
    }

    static int IResidualBlock.Expansion => OctResNetSpec.Expansion;

    static OctaveLayer IResidualBlock.Create(int inplanes, int planes, int stride, Sequential? downsample, double alphaIn, double alphaOut,
        double alpha, bool output, Random random) => new Bottleneck(inplanes, planes, stride, downsample, alphaIn, alphaOut, alpha, output, random);

    /// <inheritdoc/>
    public override OctaveValue Forward(Graph graph, OctaveValue input)
    {
        var branch = _conv3.Forward(graph, _conv2.Forward(graph, _conv1.Forward(graph, input)));
        var identity = _downsample is null ? input : _downsample.Forward(graph, input);
        return _residual.Forward(graph, branch, identity);
    }
}
