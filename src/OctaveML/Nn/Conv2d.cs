using OctaveML.Ops;
using OctaveML.Tensors;

namespace OctaveML.Nn;

/// <summary>
/// 2-D convolution, as torch.nn.Conv2d with a square kernel: parameters "weight"
/// [OutChannels, InChannels / Groups, KernelSize, KernelSize] and, when enabled, "bias" [OutChannels].
/// Runs on <see cref="Conv2dKernel"/>.
/// </summary>
public sealed class Conv2d : Layer, IOp
{
    private ConvGeometry _geometry;
    private bool _ran;

    /// <summary>
    /// Creates the layer with PyTorch's default init: weight and bias uniform in
    /// [-1/sqrt(fan_in), 1/sqrt(fan_in)] (kaiming_uniform with a = sqrt(5)), fan_in =
    /// InChannels / Groups * KernelSize^2, drawn from <paramref name="random"/> (weight first, then
    /// bias; default <see cref="Random.Shared"/>).
    /// </summary>
    public Conv2d(int inChannels, int outChannels, int kernelSize, int stride = 1, int padding = 0,
        int dilation = 1, int groups = 1, bool bias = true, Random? random = null)
    {
        if (inChannels < 1) throw new ArgumentOutOfRangeException(nameof(inChannels), inChannels, "inChannels must be at least 1.");
        if (outChannels < 1) throw new ArgumentOutOfRangeException(nameof(outChannels), outChannels, "outChannels must be at least 1.");
        if (kernelSize < 1) throw new ArgumentOutOfRangeException(nameof(kernelSize), kernelSize, "kernelSize must be at least 1.");
        if (stride < 1) throw new ArgumentOutOfRangeException(nameof(stride), stride, "stride must be at least 1.");
        if (padding < 0) throw new ArgumentOutOfRangeException(nameof(padding), padding, "padding must be at least 0.");
        if (dilation < 1) throw new ArgumentOutOfRangeException(nameof(dilation), dilation, "dilation must be at least 1.");
        if (groups < 1) throw new ArgumentOutOfRangeException(nameof(groups), groups, "groups must be at least 1.");
        if (inChannels % groups != 0)
            throw new ArgumentException($"groups: inChannels ({inChannels}) must be divisible by groups ({groups}).", nameof(groups));
        if (outChannels % groups != 0)
            throw new ArgumentException($"groups: outChannels ({outChannels}) must be divisible by groups ({groups}).", nameof(groups));
        random ??= Random.Shared;

        InChannels = inChannels; OutChannels = outChannels; KernelSize = kernelSize;
        Stride = stride; Padding = padding; Dilation = dilation; Groups = groups;
        int fanIn = inChannels / groups * kernelSize * kernelSize;
        Weight = RegisterParameter("weight", Init.KaimingUniform(random, fanIn, outChannels, inChannels / groups, kernelSize, kernelSize));
        if (bias) Bias = RegisterParameter("bias", Init.BiasUniform(random, fanIn, outChannels));
    }

    /// <summary>Input channels.</summary>
    public int InChannels { get; }
    /// <summary>Output channels.</summary>
    public int OutChannels { get; }
    /// <summary>Kernel height and width.</summary>
    public int KernelSize { get; }
    /// <summary>Stride in both directions.</summary>
    public int Stride { get; }
    /// <summary>Zero padding on every side.</summary>
    public int Padding { get; }
    /// <summary>Dilation in both directions.</summary>
    public int Dilation { get; }
    /// <summary>Channel groups (InChannels = Groups is depthwise).</summary>
    public int Groups { get; }
    /// <summary>The weight [OutChannels, InChannels / Groups, KernelSize, KernelSize].</summary>
    public Parameter Weight { get; }
    /// <summary>The bias [OutChannels], or null when the layer has none.</summary>
    public Parameter? Bias { get; }

    /// <summary>The kernel geometry for an input of [batch, InChannels, height, width].</summary>
    public ConvGeometry Geometry(int batch, int height, int width) =>
        new(batch, InChannels, height, width, OutChannels, KernelSize, KernelSize, Stride, Padding, Dilation, Groups);

    /// <summary>y [N, OutChannels, OH, OW] for x [N, InChannels, H, W].</summary>
    public override Value Forward(Graph graph, Value input)
    {
        ArgumentNullException.ThrowIfNull(graph);
        if (input.Rank != 4 || input.C != InChannels || input.N < 1 || input.H < 1 || input.W < 1)
            throw new ArgumentException($"input has shape {input.ShapeString}, expected [N, {InChannels}, H, W] (N, H, W >= 1).", nameof(input));
        var g = Geometry(input.N, input.H, input.W);
        g.Validate();
        return graph.Add(this, input, [g.Batch, OutChannels, g.OutHeight, g.OutWidth]);
    }

    /// <summary>The geometry of the last <see cref="Forward"/>, or null before any.</summary>
    public ConvGeometry? LastGeometry => _ran ? _geometry : null;

    /// <summary>Multiply-accumulates for one image in <paramref name="g"/>'s geometry (output elements x (in / groups) x kernel area).</summary>
    public static long Macs(ConvGeometry g) =>
        (long)g.OutChannels * g.OutHeight * g.OutWidth * (g.InChannels / g.Groups) * g.KernelH * g.KernelW;

    bool IOp.SavesInput(int input) => true;
    bool IOp.SavesOutput(int output) => false;
    bool IOp.SkipsInputGradient(int input) => true;

    long IOp.ForwardMacs(IReadOnlyList<int[]?> inputShapes)
    {
        var s = inputShapes[0]!;
        return Macs(Geometry(1, s[2], s[3])) * s[0];
    }

    void IOp.Forward(ReadOnlySpan<Tensor?> inputs, ReadOnlySpan<Tensor?> outputs)
    {
        var x = inputs[0]!;
        _geometry = Geometry(x.N, x.H, x.W);
        _ran = true;
        Conv2dKernel.Forward(_geometry, x.Span, Weight.Value.Data, Bias is null ? default : Bias.Value.Data, outputs[0]!.Span);
    }

    /// <summary>dL/dx (skipped when the input needs no gradient, e.g. a network's images), dL/dweight and dL/dbias.</summary>
    void IOp.Backward(ReadOnlySpan<Tensor?> inputs, ReadOnlySpan<Tensor?> outputs, ReadOnlySpan<Tensor?> gradOutputs, ReadOnlySpan<Tensor?> gradInputs)
    {
        var dy = gradOutputs[0]!.Span;
        if (gradInputs[0] is { } dx) Conv2dKernel.BackwardInput(_geometry, dy, Weight.Value.Data, dx.Span);
        Conv2dKernel.BackwardWeight(_geometry, inputs[0]!.Span, dy, Weight.Grad.Data, Bias is null ? default : Bias.Grad.Data);
    }
}
