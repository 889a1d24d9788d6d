using OctaveML.Nn;

namespace OctaveML.Models;

/// <summary>The block a ResNet stage repeats (torchvision's <c>block</c> argument): its expansion and its constructor.</summary>
internal interface IResidualBlock
{
    /// <summary>Output channels over the block's planes (1 for BasicBlock, 4 for Bottleneck).</summary>
    static abstract int Expansion { get; }

    /// <summary>A block from <paramref name="inplanes"/> to planes x Expansion channels; the arguments are the reference's.</summary>
    static abstract OctaveLayer Create(int inplanes, int planes, int stride, Sequential? downsample, double alphaIn, double alphaOut,
        double alpha, bool output, Random random);
}
