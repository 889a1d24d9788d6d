namespace OctaveML.Nn;

/// <summary>
/// One of the four convolutions of an <see cref="OctaveConv"/> (conv_h2h, conv_l2h, conv_h2l,
/// conv_l2l): a bias-free stride-1 convolution's weight [out, in / groups, k, k], as the reference's
/// nn.Conv2d child, so its state_dict name is e.g. <c>conv.conv_h2l.weight</c>. The octave layer runs
/// the four together (fused), so this module has no forward of its own.
/// </summary>
public sealed class OctaveConvBranch : Module
{
    internal OctaveConvBranch(int inChannels, int outChannels, int kernelSize, int groups, Random random)
    {
        InChannels = inChannels;
        OutChannels = outChannels;
        KernelSize = kernelSize;
        Groups = groups;
        // PyTorch's default Conv2d init, as the reference's nn.Conv2d child draws it.
        Weight = RegisterParameter("weight", Init.KaimingUniform(random, inChannels / groups * kernelSize * kernelSize,
            outChannels, inChannels / groups, kernelSize, kernelSize));
    }

    /// <summary>Input channels.</summary>
    public int InChannels { get; }

    /// <summary>Output channels.</summary>
    public int OutChannels { get; }

    /// <summary>Kernel height and width.</summary>
    public int KernelSize { get; }

    /// <summary>Channel groups.</summary>
    public int Groups { get; }

    /// <summary>The weight [OutChannels, InChannels / Groups, KernelSize, KernelSize].</summary>
    public Parameter Weight { get; }
}
