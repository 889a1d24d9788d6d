namespace OctaveML.Nn;

/// <summary>
/// An <see cref="OctaveConv"/> followed by batch normalisation of each output part, as the
/// reference's <c>Conv_BN</c>: children <c>conv</c>, <c>bn_h</c> (absent when alphaOut is 1) and
/// <c>bn_l</c> (absent when alphaOut is 0), so state_dict names read <c>conv.conv_h2h.weight</c>,
/// <c>bn_h.running_mean</c>, ... <see cref="ConvBNAct"/> adds a ReLU, fused into the BN pass.
/// </summary>
public class ConvBN : OctaveLayer
{
    /// <summary>Creates the layer; the arguments are <see cref="OctaveConv"/>'s.</summary>
    public ConvBN(int inChannels, int outChannels, int kernelSize, double alphaIn = 0.5, double alphaOut = 0.5,
        int stride = 1, int padding = 0, int dilation = 1, int groups = 1, Random? random = null)
        : this(inChannels, outChannels, kernelSize, alphaIn, alphaOut, stride, padding, dilation, groups, random, activation: false) { }

    /// <summary>Creates the layer, with a ReLU after each BN when <paramref name="activation"/> is true.</summary>
    protected ConvBN(int inChannels, int outChannels, int kernelSize, double alphaIn, double alphaOut,
        int stride, int padding, int dilation, int groups, Random? random, bool activation)
    {
        Conv = RegisterModule("conv", new OctaveConv(inChannels, outChannels, kernelSize, alphaIn, alphaOut, stride, padding, dilation, groups, random));
        if (alphaOut != 0 && Conv.LowOut == 0)
            throw new ArgumentOutOfRangeException(nameof(alphaOut), alphaOut,
                $"alphaOut {alphaOut} gives (int)(alphaOut * {outChannels}) = 0 low-frequency channels: use 0, or at least {1.0 / outChannels}.");
        Activation = activation;
        if (alphaOut != 1) BnH = RegisterModule("bn_h", new BatchNorm2d(Conv.HighOut, fusedRelu: activation));
        if (alphaOut != 0) BnL = RegisterModule("bn_l", new BatchNorm2d(Conv.LowOut, fusedRelu: activation));
    }

    /// <summary>The octave convolution ("conv").</summary>
    public OctaveConv Conv { get; }

    /// <summary>BN of the high part ("bn_h"), or null when alphaOut is 1.</summary>
    public BatchNorm2d? BnH { get; }

    /// <summary>BN of the low part ("bn_l"), or null when alphaOut is 0.</summary>
    public BatchNorm2d? BnL { get; }

    /// <summary>True when a ReLU follows each BN (Conv_BN_ACT).</summary>
    public bool Activation { get; }

    /// <summary>conv, then BN (and ReLU) of each part. See <see cref="OctaveConv.Forward(Graph, OctaveValue)"/> for the shapes.</summary>
    public override OctaveValue Forward(Graph graph, OctaveValue input)
    {
        var y = Conv.Forward(graph, input);
        // With alphaOut 1 the high part has no channels and no BN (the reference cannot run this case).
        var h = BnH is null ? y.High : BnH.Forward(graph, y.High);
        Value? l = y.Low is { } low ? BnL!.Forward(graph, low) : null;
        return new OctaveValue(h, l);
    }
}
