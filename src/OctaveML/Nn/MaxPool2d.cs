using OctaveML.Ops;
using OctaveML.Tensors;

namespace OctaveML.Nn;

/// <summary>
/// Max pooling over square windows in floor mode, as torch.nn.MaxPool2d(kernelSize, stride, padding)
/// (the ResNet stem's is MaxPool2d(3, 2, 1)). No parameters.
/// </summary>
public sealed class MaxPool2d : Module, ILayer
{
    private int[]? _inputShape;
    private int[] _argmax = [];

    /// <summary>Creates the layer; <paramref name="stride"/> defaults to the kernel size, as in PyTorch.</summary>
    public MaxPool2d(int kernelSize, int? stride = null, int padding = 0)
    {
        if (kernelSize < 1) throw new ArgumentOutOfRangeException(nameof(kernelSize), kernelSize, "kernelSize must be at least 1.");
        int s = stride ?? kernelSize;
        if (s < 1) throw new ArgumentOutOfRangeException(nameof(stride), s, "stride must be at least 1.");
        if (padding < 0 || padding > kernelSize / 2)
            throw new ArgumentOutOfRangeException(nameof(padding), padding, $"padding must be in [0, {kernelSize / 2}] (at most half the kernel {kernelSize}).");
        KernelSize = kernelSize; Stride = s; Padding = padding;
    }

    /// <summary>Window height and width.</summary>
    public int KernelSize { get; }
    /// <summary>Stride in both directions.</summary>
    public int Stride { get; }
    /// <summary>Implicit -infinity padding on every side.</summary>
    public int Padding { get; }

    /// <summary>y [N, C, OH, OW] for x [N, C, H, W]; keeps the winners' positions for <see cref="Backward"/>.</summary>
    public Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank != 4 || input.N < 1 || input.C < 1 || input.H < 1 || input.W < 1)
            throw new ArgumentException($"input has shape {input.ShapeString}, expected [N, C, H, W] (all >= 1).", nameof(input));
        int oh = MaxPool2dKernel.OutSize(input.H, KernelSize, Stride, Padding);
        int ow = MaxPool2dKernel.OutSize(input.W, KernelSize, Stride, Padding);
        if (oh < 1 || ow < 1)
            throw new ArgumentException($"input has shape {input.ShapeString}: H and W + 2*{Padding} must be at least the kernel size {KernelSize}.", nameof(input));
        var y = Output(0, input.N, input.C, oh, ow);
        if (_argmax.Length != y.Length) _argmax = new int[y.Length];
        MaxPool2dKernel.Forward(input.N * input.C, input.H, input.W, KernelSize, Stride, Padding, input.Data, y.Data, _argmax);
        _inputShape = input.ShapeArray();
        return y;
    }

    /// <summary>dL/dx: each output's gradient goes to the input element that won its window.</summary>
    public Tensor Backward(Tensor gradOutput)
    {
        ArgumentNullException.ThrowIfNull(gradOutput);
        var s = _inputShape ?? throw new InvalidOperationException("MaxPool2d.Backward called before Forward.");
        int oh = MaxPool2dKernel.OutSize(s[2], KernelSize, Stride, Padding), ow = MaxPool2dKernel.OutSize(s[3], KernelSize, Stride, Padding);
        if (!gradOutput.HasShape(s[0], s[1], oh, ow))
            throw new ArgumentException($"gradOutput has shape {gradOutput.ShapeString}, expected [{s[0]}, {s[1]}, {oh}, {ow}] (the last output's).", nameof(gradOutput));
        var dx = GradientBuffer(s);
        MaxPool2dKernel.Backward(s[0] * s[1], s[2], s[3], KernelSize, Stride, Padding, gradOutput.Data, _argmax, dx.Data);
        ReleaseOutputs();
        return dx;
    }
}
