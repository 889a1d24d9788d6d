using OctaveML.Ops;
using OctaveML.Tensors;
using OctaveML.Threading;

namespace OctaveML.Nn;

/// <summary>
/// Octave convolution ("Drop an Octave", Chen et al. 2019), as the reference's <c>OctaveConv</c>:
/// the input and output are split into a high-frequency part at full resolution and a low-frequency
/// part (low = (int)(alpha * C) channels) at ceil(H/2) x ceil(W/2), exchanged by up to four bias-free
/// convolutions, the children <c>conv_h2h</c>, <c>conv_h2l</c>, <c>conv_l2h</c>, <c>conv_l2l</c>
/// (present or absent exactly as in the reference). Stride 2 average-pools the input and runs
/// stride-1 convolutions; h2l pools once more; at stride 1 the l2h result is upsampled 2x (nearest)
/// and cropped to the high output size. The four convolutions run fused, as two GEMM passes.
/// </summary>
public sealed class OctaveConv : OctaveLayer, IRecomputableOp
{
    private readonly OctaveConvBranch? _h2h, _l2h, _h2l, _l2l;
    private OctaveConvKernel? _kernel;
    private int _kernelThreads;

    /// <summary>
    /// Creates the layer. Weights are drawn as PyTorch's default Conv2d init, from
    /// <paramref name="random"/> (default: <see cref="Random.Shared"/>).
    /// </summary>
    /// <param name="inChannels">Input channels (high + low).</param>
    /// <param name="outChannels">Output channels (high + low).</param>
    /// <param name="kernelSize">Square kernel size.</param>
    /// <param name="alphaIn">Low-frequency share of the input channels, in [0, 1].</param>
    /// <param name="alphaOut">Low-frequency share of the output channels, in [0, 1].</param>
    /// <param name="stride">1, or 2 (average-pool the input first).</param>
    /// <param name="padding">Zero padding of every convolution.</param>
    /// <param name="dilation">Dilation of every convolution.</param>
    /// <param name="groups">Channel groups; groups = inChannels is depthwise (no cross-frequency paths).</param>
    /// <param name="random">Source of the initial weights.</param>
    public OctaveConv(int inChannels, int outChannels, int kernelSize, double alphaIn = 0.5, double alphaOut = 0.5,
        int stride = 1, int padding = 0, int dilation = 1, int groups = 1, Random? random = null)
    {
        if (inChannels < 1) throw new ArgumentOutOfRangeException(nameof(inChannels), inChannels, "inChannels must be at least 1.");
        if (outChannels < 1) throw new ArgumentOutOfRangeException(nameof(outChannels), outChannels, "outChannels must be at least 1.");
        if (kernelSize < 1) throw new ArgumentOutOfRangeException(nameof(kernelSize), kernelSize, "kernelSize must be at least 1.");
        if (!(alphaIn >= 0 && alphaIn <= 1)) throw new ArgumentOutOfRangeException(nameof(alphaIn), alphaIn, "alphaIn must be in [0, 1].");
        if (!(alphaOut >= 0 && alphaOut <= 1)) throw new ArgumentOutOfRangeException(nameof(alphaOut), alphaOut, "alphaOut must be in [0, 1].");
        if (stride is not (1 or 2)) throw new ArgumentOutOfRangeException(nameof(stride), stride, "stride must be 1 or 2.");
        if (padding < 0) throw new ArgumentOutOfRangeException(nameof(padding), padding, "padding must be at least 0.");
        if (dilation < 1) throw new ArgumentOutOfRangeException(nameof(dilation), dilation, "dilation must be at least 1.");
        if (groups < 1) throw new ArgumentOutOfRangeException(nameof(groups), groups, "groups must be at least 1.");
        random ??= Random.Shared;

        InChannels = inChannels; OutChannels = outChannels; KernelSize = kernelSize;
        AlphaIn = alphaIn; AlphaOut = alphaOut; Stride = stride; Padding = padding; Dilation = dilation; Groups = groups;
        (HighIn, LowIn) = Split(inChannels, alphaIn);
        (HighOut, LowOut) = Split(outChannels, alphaOut);
        IsDepthwise = groups == inChannels;

        // Presence and group counts exactly as the reference's OctaveConv (Python's math.ceil on doubles).
        int gL2L = alphaIn == 0 || alphaOut == 0 ? 0 : (int)Math.Ceiling(alphaIn * groups);
        int gL2H = alphaIn == 0 || alphaOut == 1 || IsDepthwise ? 0 : groups;
        int gH2L = alphaIn == 1 || alphaOut == 0 || IsDepthwise ? 0 : groups;
        int gH2H = alphaIn == 1 || alphaOut == 1 ? 0 : (int)Math.Ceiling(groups - alphaIn * groups);
        CheckGroups("conv_l2l", LowIn, LowOut, gL2L);
        CheckGroups("conv_l2h", LowIn, HighOut, gL2H);
        CheckGroups("conv_h2l", HighIn, LowOut, gH2L);
        CheckGroups("conv_h2h", HighIn, HighOut, gH2H);
        // Registration order of the reference (state_dict order).
        if (gL2L > 0) _l2l = RegisterModule("conv_l2l", new OctaveConvBranch(LowIn, LowOut, kernelSize, gL2L, random));
        if (gL2H > 0) _l2h = RegisterModule("conv_l2h", new OctaveConvBranch(LowIn, HighOut, kernelSize, gL2H, random));
        if (gH2L > 0) _h2l = RegisterModule("conv_h2l", new OctaveConvBranch(HighIn, LowOut, kernelSize, gH2L, random));
        if (gH2H > 0) _h2h = RegisterModule("conv_h2h", new OctaveConvBranch(HighIn, HighOut, kernelSize, gH2H, random));
        Paths = new OctavePaths(gH2H, gL2H, gH2L, gL2L);
    }

    private static void CheckGroups(string path, int cin, int cout, int groups)
    {
        if (groups > 0 && (cin % groups != 0 || cout % groups != 0))
            throw new ArgumentException(
                $"groups: {path} has {cin} input and {cout} output channels, which its {groups} groups must both divide.", "groups");
    }

    /// <summary>(high, low) channel counts of a C-channel octave tensor: low = (int)(alpha * C), as Python's int(alpha * c).</summary>
    public static (int High, int Low) Split(int channels, double alpha)
    {
        int low = (int)(alpha * channels);
        return (channels - low, low);
    }

    /// <summary>Input channels (high + low).</summary>
    public int InChannels { get; }
    /// <summary>Output channels (high + low).</summary>
    public int OutChannels { get; }
    /// <summary>Square kernel size.</summary>
    public int KernelSize { get; }
    /// <summary>Low-frequency share of the input channels.</summary>
    public double AlphaIn { get; }
    /// <summary>Low-frequency share of the output channels.</summary>
    public double AlphaOut { get; }
    /// <summary>1 or 2.</summary>
    public int Stride { get; }
    /// <summary>Zero padding.</summary>
    public int Padding { get; }
    /// <summary>Dilation.</summary>
    public int Dilation { get; }
    /// <summary>Channel groups.</summary>
    public int Groups { get; }
    /// <summary>True when groups == inChannels (only the h2h and l2l paths exist).</summary>
    public bool IsDepthwise { get; }
    /// <summary>High-frequency input channels.</summary>
    public int HighIn { get; }
    /// <summary>Low-frequency input channels.</summary>
    public int LowIn { get; }
    /// <summary>High-frequency output channels.</summary>
    public int HighOut { get; }
    /// <summary>Low-frequency output channels.</summary>
    public int LowOut { get; }
    /// <summary>True when the output has a low part (some convolution writes it).</summary>
    public bool HasLowOutput => _h2l is not null || _l2l is not null;

    /// <summary>conv_h2h, or null when absent.</summary>
    public OctaveConvBranch? ConvH2H => _h2h;
    /// <summary>conv_l2h, or null when absent.</summary>
    public OctaveConvBranch? ConvL2H => _l2h;
    /// <summary>conv_h2l, or null when absent.</summary>
    public OctaveConvBranch? ConvH2L => _h2l;
    /// <summary>conv_l2l, or null when absent.</summary>
    public OctaveConvBranch? ConvL2L => _l2l;

    internal OctavePaths Paths { get; }

    /// <summary>Spatial size (height, width) of the high output for a high input of h x w.</summary>
    public (int Height, int Width) HighOutputSize(int h, int w) => (Geometry(1, h, w).OutHiH, Geometry(1, h, w).OutHiW);

    /// <summary>Floats the fused kernel holds between calls (a memory diagnostic).</summary>
    internal long KernelFloats => _kernel?.HeldFloats ?? 0;

    /// <summary>The high input's spatial size in the last <see cref="Forward"/>, or null before any.</summary>
    public (int Height, int Width)? LastInputSize => _kernel is null ? null : (_kernel.Geometry.Height, _kernel.Geometry.Width);

    /// <summary>
    /// Output shapes (high, and low or null) for a batch of <paramref name="batch"/> with a high input of
    /// <paramref name="height"/> x <paramref name="width"/>.
    /// </summary>
    public (int[] High, int[]? Low) OutputShapes(int batch, int height, int width)
    {
        var g = Geometry(batch, height, width);
        return ([batch, HighOut, g.OutHiH, g.OutHiW], HasLowOutput ? [batch, LowOut, g.OutLoH, g.OutLoW] : null);
    }

    /// <summary>
    /// Multiply-accumulates for one image with a high input of <paramref name="height"/> x <paramref name="width"/>,
    /// counted as tools/reference/macs.py does: each branch convolution's output elements times its
    /// (input channels / groups) x kernel area.
    /// </summary>
    public long Macs(int height, int width)
    {
        var g = Geometry(1, height, width);
        long k2 = (long)KernelSize * KernelSize;
        long Branch(OctaveConvBranch? b, int outH, int outW) => b is null ? 0 : (long)b.OutChannels * outH * outW * (b.InChannels / b.Groups) * k2;
        // l2h convolves the unpooled low input (ceil(H/2) x ceil(W/2)) at both strides; l2l and h2l produce the low output.
        int reach = g.HiH - g.OutHiH;
        return Branch(_h2h, g.OutHiH, g.OutHiW) + Branch(_l2h, g.XlH - reach, g.XlW - reach)
             + Branch(_h2l, g.OutLoH, g.OutLoW) + Branch(_l2l, g.OutLoH, g.OutLoW);
    }

    private OctaveConvGeometry Geometry(int n, int h, int w) =>
        new(n, h, w, HighIn, LowIn, HighOut, LowOut, KernelSize, Stride, Padding, Dilation, Paths);

    /// <summary>
    /// Forward pass. <paramref name="input"/>.High is [N, HighIn, H, W]; .Low is [N, LowIn, ceil(H/2), ceil(W/2)]
    /// (null allowed when LowIn is 0). Returns High [N, HighOut, H', W'] (0 channels when alphaOut is 1) and
    /// Low [N, LowOut, ceil-halved] or null when <see cref="HasLowOutput"/> is false.
    /// </summary>
    public override OctaveValue Forward(Graph graph, OctaveValue input)
    {
        ArgumentNullException.ThrowIfNull(graph);
        var g = CheckInput(input);
        var outputs = graph.Add(this, [input.High, input.Low],
            [[g.Batch, HighOut, g.OutHiH, g.OutHiW], HasLowOutput ? [g.Batch, LowOut, g.OutLoH, g.OutLoW] : null]);
        return new OctaveValue(outputs[0]!.Value, outputs[1]);
    }

    // Backward reads both input parts (the weight gradients); the outputs can be convolved again from them.
    bool IOp.SavesInput(int input) => true;
    bool IOp.SavesOutput(int output) => false;
    bool IRecomputableOp.CanRecompute(int output) => true;
    void IRecomputableOp.Recompute(ReadOnlySpan<Tensor?> inputs, ReadOnlySpan<Tensor?> outputs) => ((IOp)this).Forward(inputs, outputs);

    long IOp.ForwardMacs(IReadOnlyList<int[]?> inputShapes)
    {
        var s = inputShapes[0]!;
        return Macs(s[2], s[3]) * s[0];
    }

    /// <summary>The kernel writes every element of the outputs.</summary>
    void IOp.Forward(ReadOnlySpan<Tensor?> inputs, ReadOnlySpan<Tensor?> outputs)
    {
        var (xh, xl) = (inputs[0]!, inputs[1]);
        var g = Geometry(xh.N, xh.H, xh.W);
        if (_kernel is null || _kernel.Geometry != g || _kernelThreads != Parallelism.Threads)
        {
            _kernel = new OctaveConvKernel(g);
            _kernelThreads = Parallelism.Threads;
        }
        _kernel.Forward(xh.Segment, xl?.Segment ?? default, Weights(), outputs[0]!.Segment, outputs[1]?.Segment ?? default);
    }

    /// <summary>
    /// The gradients of both input parts (Low absent when the input's was), and the weight gradients added into
    /// the branches' <see cref="Parameter.Grad"/>; the kernel writes every element of the input gradients.
    /// </summary>
    void IOp.Backward(ReadOnlySpan<Tensor?> inputs, ReadOnlySpan<Tensor?> outputs, ReadOnlySpan<Tensor?> gradOutputs, ReadOnlySpan<Tensor?> gradInputs)
    {
        _kernel!.Backward(inputs[0]!.Segment, inputs[1]?.Segment ?? default, gradOutputs[0]!.Segment, gradOutputs[1]?.Segment ?? default,
            Weights(), Grads(), gradInputs[0]!.Segment, gradInputs[1]?.Segment ?? default);
    }

    private float[][] Weights() => [_h2h?.Weight.Value.Data ?? [], _l2h?.Weight.Value.Data ?? [], _h2l?.Weight.Value.Data ?? [], _l2l?.Weight.Value.Data ?? []];
    private float[][] Grads() => [_h2h?.Weight.Grad.Data ?? [], _l2h?.Weight.Grad.Data ?? [], _h2l?.Weight.Grad.Data ?? [], _l2l?.Weight.Grad.Data ?? []];

    private OctaveConvGeometry CheckInput(OctaveValue input)
    {
        var (xh, xl) = (input.High, input.Low);
        if (xh.Rank != 4 || xh.C != HighIn || xh.N < 1 || xh.H < 1 || xh.W < 1)
            throw new ArgumentException($"input.High has shape {xh.ShapeString}, expected [N, {HighIn}, H, W] (N, H, W >= 1).", nameof(input));
        int n = xh.N, h = xh.H, w = xh.W;
        int[] lowShape = [n, LowIn, (h + 1) / 2, (w + 1) / 2];
        if (xl is not { } low)
        {
            if (LowIn > 0)
                throw new ArgumentException($"input.Low is null, expected shape {Tensor.FormatShape(lowShape)}.", nameof(input));
        }
        else if (!low.Shape.SequenceEqual(lowShape))
            throw new ArgumentException($"input.Low has shape {low.ShapeString}, expected {Tensor.FormatShape(lowShape)}.", nameof(input));
        var g = Geometry(n, h, w);
        if (g.OutHiH < 1 || g.OutHiW < 1 || (HasLowOutput && (g.OutLoH < 1 || g.OutLoW < 1)))
            throw new ArgumentException(
                $"input: a {h}x{w} input is too small for kernel {KernelSize}, padding {Padding}, dilation {Dilation} at stride {Stride}.", nameof(input));
        if (Stride == 1 && _l2h is not null && (2 * g.OutLoH < g.OutHiH || 2 * g.OutLoW < g.OutHiW))
            throw new ArgumentException(
                $"input: with kernel {KernelSize}, padding {Padding}, dilation {Dilation} the upsampled low-to-high output " +
                $"({2 * g.OutLoH}x{2 * g.OutLoW}) is smaller than the high output ({g.OutHiH}x{g.OutHiW}) for a {h}x{w} input.", nameof(input));
        return g;
    }
}
