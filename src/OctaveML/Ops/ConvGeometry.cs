namespace OctaveML.Ops;

/// <summary>
/// The shape of a 2-D convolution as PyTorch's <c>torch.nn.functional.conv2d</c> sees it: input
/// x[<see cref="Batch"/>, <see cref="InChannels"/>, <see cref="Height"/>, <see cref="Width"/>],
/// weight w[<see cref="OutChannels"/>, InChannels / <see cref="Groups"/>, <see cref="KernelH"/>,
/// <see cref="KernelW"/>], output y[Batch, OutChannels, <see cref="OutHeight"/>, <see cref="OutWidth"/>].
/// Stride, padding and dilation are the same along both axes.
/// </summary>
public readonly record struct ConvGeometry(int Batch, int InChannels, int Height, int Width,
    int OutChannels, int KernelH, int KernelW, int Stride = 1, int Padding = 0, int Dilation = 1, int Groups = 1)
{
    /// <summary>Output height: floor((H + 2P - D(kH - 1) - 1) / S) + 1, as in PyTorch.</summary>
    public int OutHeight => OutSize(Height, KernelH);

    /// <summary>Output width: floor((W + 2P - D(kW - 1) - 1) / S) + 1, as in PyTorch.</summary>
    public int OutWidth => OutSize(Width, KernelW);

    /// <summary>Input channels per group (the weight's second dimension).</summary>
    public int InChannelsPerGroup => InChannels / Groups;

    /// <summary>Output channels per group.</summary>
    public int OutChannelsPerGroup => OutChannels / Groups;

    /// <summary>Elements of x: Batch * InChannels * Height * Width.</summary>
    public long InputLength => (long)Batch * InChannels * Height * Width;

    /// <summary>Elements of y: Batch * OutChannels * OutHeight * OutWidth.</summary>
    public long OutputLength => (long)Batch * OutChannels * OutHeight * OutWidth;

    /// <summary>Elements of w: OutChannels * (InChannels / Groups) * KernelH * KernelW.</summary>
    public long WeightLength => (long)OutChannels * InChannelsPerGroup * KernelH * KernelW;

    /// <summary>True for depthwise convolutions (one input channel per group, any channel multiplier).</summary>
    public bool IsDepthwise => Groups == InChannels && Groups > 1;

    /// <summary>True when the convolution is a plain matrix product per image (1x1, stride 1, no padding).</summary>
    public bool IsPointwise => KernelH == 1 && KernelW == 1 && Stride == 1 && Padding == 0;

    private int OutSize(int size, int kernel)
    {
        long span = (long)Dilation * (kernel - 1) + 1;
        long full = (long)size + 2L * Padding - span;
        return full < 0 || Stride <= 0 ? 0 : (int)(full / Stride + 1);
    }

    /// <summary>
    /// Throws <see cref="ArgumentException"/> naming the offending field and the value it must have:
    /// non-positive sizes, negative padding, channels not divisible by groups, an output smaller
    /// than 1x1, or tensors too large to index with 32-bit offsets.
    /// </summary>
    public void Validate()
    {
        Positive(Batch, nameof(Batch));
        Positive(InChannels, nameof(InChannels));
        Positive(Height, nameof(Height));
        Positive(Width, nameof(Width));
        Positive(OutChannels, nameof(OutChannels));
        Positive(KernelH, nameof(KernelH));
        Positive(KernelW, nameof(KernelW));
        Positive(Stride, nameof(Stride));
        Positive(Dilation, nameof(Dilation));
        Positive(Groups, nameof(Groups));
        if (Padding < 0)
            throw new ArgumentException($"Padding is {Padding}; expected a value >= 0.", nameof(Padding));
        if (InChannels % Groups != 0)
            throw new ArgumentException($"InChannels ({InChannels}) must be divisible by Groups ({Groups}).", nameof(InChannels));
        if (OutChannels % Groups != 0)
            throw new ArgumentException($"OutChannels ({OutChannels}) must be divisible by Groups ({Groups}).", nameof(OutChannels));
        if (OutHeight < 1)
            throw new ArgumentException($"OutHeight would be {OutHeight}: Height + 2*Padding ({Height + 2L * Padding}) must be at least Dilation*(KernelH-1)+1 ({(long)Dilation * (KernelH - 1) + 1}).", nameof(KernelH));
        if (OutWidth < 1)
            throw new ArgumentException($"OutWidth would be {OutWidth}: Width + 2*Padding ({Width + 2L * Padding}) must be at least Dilation*(KernelW-1)+1 ({(long)Dilation * (KernelW - 1) + 1}).", nameof(KernelW));
        const long max = int.MaxValue;
        if (InputLength > max || OutputLength > max || WeightLength > max
            || (long)InChannelsPerGroup * KernelH * KernelW * OutHeight * OutWidth > max)
            throw new ArgumentException($"the convolution {this} is too large: tensors and the im2col matrix must have at most {max} elements.", nameof(Batch));
    }

    private static void Positive(int value, string name)
    {
        if (value < 1)
            throw new ArgumentException($"{name} is {value}; expected a value >= 1.", name);
    }
}
