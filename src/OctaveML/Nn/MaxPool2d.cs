using OctaveML.Ops;
using OctaveML.Tensors;

namespace OctaveML.Nn;

/// <summary>
/// Max pooling over square windows in floor mode, as torch.nn.MaxPool2d(kernelSize, stride, padding)
/// (the ResNet stem's is MaxPool2d(3, 2, 1)). No parameters.
/// </summary>
public sealed class MaxPool2d : Layer, IOp
{
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

    /// <summary>y [N, C, OH, OW] for x [N, C, H, W].</summary>
    public override Value Forward(Graph graph, Value input)
    {
        ArgumentNullException.ThrowIfNull(graph);
        if (input.Rank != 4 || input.N < 1 || input.C < 1 || input.H < 1 || input.W < 1)
            throw new ArgumentException($"input has shape {input.ShapeString}, expected [N, C, H, W] (all >= 1).", nameof(input));
        int oh = MaxPool2dKernel.OutSize(input.H, KernelSize, Stride, Padding);
        int ow = MaxPool2dKernel.OutSize(input.W, KernelSize, Stride, Padding);
        if (oh < 1 || ow < 1)
            throw new ArgumentException($"input has shape {input.ShapeString}: H and W + 2*{Padding} must be at least the kernel size {KernelSize}.", nameof(input));
        return graph.Add(this, input, [input.N, input.C, oh, ow]);
    }

    // Backward needs only the winners' positions, which the layer keeps.
    bool IOp.SavesInput(int input) => false;
    bool IOp.SavesOutput(int output) => false;

    void IOp.Forward(ReadOnlySpan<Tensor?> inputs, ReadOnlySpan<Tensor?> outputs)
    {
        var (x, y) = (inputs[0]!, outputs[0]!);
        if (_argmax.Length != y.Length) _argmax = new int[y.Length];
        MaxPool2dKernel.Forward(x.N * x.C, x.H, x.W, KernelSize, Stride, Padding, x.Span, y.Span, _argmax);
    }

    /// <summary>dL/dx: each output's gradient goes to the input element that won its window.</summary>
    void IOp.Backward(ReadOnlySpan<Tensor?> inputs, ReadOnlySpan<Tensor?> outputs, ReadOnlySpan<Tensor?> gradOutputs, ReadOnlySpan<Tensor?> gradInputs)
    {
        var dx = gradInputs[0]!;
        MaxPool2dKernel.Backward(dx.N * dx.C, dx.H, dx.W, KernelSize, Stride, Padding, gradOutputs[0]!.Span, _argmax, dx.Span);
    }
}
