using OctaveML.Tensors;

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
        var w = new Tensor(outChannels, inChannels / groups, kernelSize, kernelSize);
        // PyTorch's default Conv2d init: kaiming_uniform(a = sqrt(5)) = U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
        int fanIn = inChannels / groups * kernelSize * kernelSize;
        float bound = fanIn > 0 ? 1f / MathF.Sqrt(fanIn) : 0f;
        for (int i = 0; i < w.Length; i++) w.Data[i] = (float)(random.NextDouble() * 2 - 1) * bound;
        Weight = RegisterParameter("weight", w);
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
