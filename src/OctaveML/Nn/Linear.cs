using OctaveML.Ops;
using OctaveML.Tensors;

namespace OctaveML.Nn;

/// <summary>
/// Fully connected layer y = x W^T + b, as torch.nn.Linear: parameters "weight" [OutFeatures, InFeatures]
/// and, when enabled, "bias" [OutFeatures]. The input's last dimension is InFeatures; the ones
/// before it are batch dimensions (usually [N, InFeatures]).
/// </summary>
public sealed class Linear : Module, ILayer
{
    private Tensor? _input;

    /// <summary>
    /// Creates the layer with PyTorch's default init: weight and bias uniform in
    /// [-1/sqrt(InFeatures), 1/sqrt(InFeatures)] from <paramref name="random"/> (weight first; default
    /// <see cref="Random.Shared"/>).
    /// </summary>
    public Linear(int inFeatures, int outFeatures, bool bias = true, Random? random = null)
    {
        if (inFeatures < 1) throw new ArgumentOutOfRangeException(nameof(inFeatures), inFeatures, "inFeatures must be at least 1.");
        if (outFeatures < 1) throw new ArgumentOutOfRangeException(nameof(outFeatures), outFeatures, "outFeatures must be at least 1.");
        random ??= Random.Shared;
        InFeatures = inFeatures; OutFeatures = outFeatures;
        Weight = RegisterParameter("weight", Init.KaimingUniform(random, inFeatures, outFeatures, inFeatures));
        if (bias) Bias = RegisterParameter("bias", Init.Uniform(random, 1f / MathF.Sqrt(inFeatures), outFeatures));
    }

    /// <summary>Input features.</summary>
    public int InFeatures { get; }
    /// <summary>Output features.</summary>
    public int OutFeatures { get; }
    /// <summary>The weight [OutFeatures, InFeatures].</summary>
    public Parameter Weight { get; }
    /// <summary>The bias [OutFeatures], or null.</summary>
    public Parameter? Bias { get; }

    /// <summary>y [..., OutFeatures] for x [..., InFeatures]; keeps x for <see cref="Backward"/>.</summary>
    public Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank < 1 || input.Dim(-1) != InFeatures || input.Length == 0)
            throw new ArgumentException($"input has shape {input.ShapeString}, expected [N, {InFeatures}] (last dimension {InFeatures}).", nameof(input));
        int batch = input.Length / InFeatures;
        var shape = input.ShapeArray();
        shape[^1] = OutFeatures;
        var y = Tensor.Uninitialized(shape);
        LinearKernel.Forward(batch, InFeatures, OutFeatures, input.Data, Weight.Value.Data, Bias is null ? default : Bias.Value.Data, y.Data);
        _input = input;
        return y;
    }

    /// <summary>Returns dL/dx for the last forward; adds dL/dweight and dL/dbias into the parameters' gradients.</summary>
    public Tensor Backward(Tensor gradOutput)
    {
        ArgumentNullException.ThrowIfNull(gradOutput);
        var x = _input ?? throw new InvalidOperationException("Linear.Backward called before Forward.");
        var shape = x.ShapeArray();
        shape[^1] = OutFeatures;
        if (!gradOutput.HasShape(shape))
            throw new ArgumentException($"gradOutput has shape {gradOutput.ShapeString}, expected {Tensor.FormatShape(shape)} (the last output's).", nameof(gradOutput));
        var dx = GradientBuffer(x.ShapeArray());
        LinearKernel.Backward(x.Length / InFeatures, InFeatures, OutFeatures, x.Data, Weight.Value.Data, gradOutput.Data,
            dx.Data, Weight.Grad.Data, Bias is null ? default : Bias.Grad.Data);
        return dx;
    }
}
