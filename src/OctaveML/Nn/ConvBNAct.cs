namespace OctaveML.Nn;

/// <summary>
/// <see cref="ConvBN"/> with a ReLU after each BN, as the reference's <c>Conv_BN_ACT</c> (same
/// children and state_dict names: the ReLU has no parameters and runs fused into the BN pass).
/// </summary>
public sealed class ConvBNAct : ConvBN
{
    /// <summary>Creates the layer; the arguments are <see cref="OctaveConv"/>'s.</summary>
    public ConvBNAct(int inChannels, int outChannels, int kernelSize, double alphaIn = 0.5, double alphaOut = 0.5,
        int stride = 1, int padding = 0, int dilation = 1, int groups = 1, Random? random = null)
        : base(inChannels, outChannels, kernelSize, alphaIn, alphaOut, stride, padding, dilation, groups, random, activation: true) { }
}
