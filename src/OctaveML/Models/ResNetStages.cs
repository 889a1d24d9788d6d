using OctaveML.Nn;

namespace OctaveML.Models;

/// <summary>
/// The residual stages of both ResNet families, as torchvision's <c>_make_layer</c> and the reference's:
/// stage i repeats blocks[i] blocks of planes[i]; its first block carries the stride (1 in the first stage,
/// 2 after) and a <c>downsample</c> ConvBN where the shape or the alpha changes. The first stage turns the
/// plain stem output into an octave pair at alpha, the last one returns a plain map.
/// </summary>
internal static class ResNetStages
{
    /// <summary>The stages (layer1, layer2, ...) after a stem of <paramref name="inplanes"/> channels, and their output channels.</summary>
    public static (Sequential[] Stages, int OutChannels) Make<TBlock>(int inplanes, IReadOnlyList<int> planes, IReadOnlyList<int> blocks,
        double alpha, Random random) where TBlock : IResidualBlock
    {
        var stages = new Sequential[planes.Count];
        for (int i = 0; i < stages.Length; i++)
        {
            bool last = i == stages.Length - 1;
            stages[i] = MakeLayer<TBlock>(ref inplanes, planes[i], blocks[i], i == 0 ? 1 : 2, i == 0 ? 0 : alpha, last ? 0 : alpha, alpha, last, random);
        }
        return (stages, inplanes);
    }

    private static Sequential MakeLayer<TBlock>(ref int inplanes, int planes, int count, int stride, double alphaIn, double alphaOut,
        double alpha, bool output, Random random) where TBlock : IResidualBlock
    {
        int outplanes = planes * TBlock.Expansion;
        Sequential? downsample = null;
        if (stride != 1 || inplanes != outplanes || alphaIn != alphaOut)
            downsample = new Sequential(new ConvBN(inplanes, outplanes, 1, alphaIn, alphaOut, stride, random: random));
        var layer = new Sequential(TBlock.Create(inplanes, planes, stride, downsample, alphaIn, alphaOut, alpha, output, random));
        inplanes = outplanes;
        double a = output ? 0 : alpha;
        for (int i = 1; i < count; i++)
            layer.Add(TBlock.Create(inplanes, planes, 1, null, a, a, alpha, output, random));
        return layer;
    }
}
