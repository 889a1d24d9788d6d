using OctaveML.Ops;
using OctaveML.Tensors;

namespace OctaveML.Nn;

/// <summary>
/// Fully connected layer y = x W^T + b, as torch.nn.Linear: parameters "weight" [OutFeatures, InFeatures]
/// and, when enabled, "bias" [OutFeatures]. The input's last dimension is InFeatures; the ones
/// before it are batch dimensions (usually [N, InFeatures]).
/// </summary>
public sealed class Linear : Layer, IOp
{

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
        if (bias) Bias = RegisterParameter("bias", Init.BiasUniform(random, inFeatures, outFeatures));
    }

    /// <summary>Input features.</summary>
    public int InFeatures { get; }
    /// <summary>Output features.</summary>
    public int OutFeatures { get; }
    /// <summary>The weight [OutFeatures, InFeatures].</summary>
    public Parameter Weight { get; }
    /// <summary>The bias [OutFeatures], or null.</summary>
    public Parameter? Bias { get; }

    /// <summary>y [..., OutFeatures] for x [..., InFeatures].</summary>
    public override Value Forward(Graph graph, Value input)
    {
        ArgumentNullException.ThrowIfNull(graph);
        if (input.Rank < 1 || input.Shape[^1] != InFeatures || input.ShapeArray().Aggregate(1L, (a, d) => a * d) == 0)
            throw new ArgumentException($"input has shape {input.ShapeString}, expected [N, {InFeatures}] (last dimension {InFeatures}).", nameof(input));
        var shape = input.ShapeArray();
        shape[^1] = OutFeatures;
        return graph.Add(this, input, shape);
    }

    bool IOp.SavesInput(int input) => true;
    bool IOp.SavesOutput(int output) => false;
    bool IOp.SkipsInputGradient(int input) => true;
    long IOp.ForwardMacs(IReadOnlyList<int[]?> inputShapes) => inputShapes[0]!.Aggregate(1L, (n, d) => n * d) * OutFeatures;

    void IOp.Forward(ReadOnlySpan<Tensor?> inputs, ReadOnlySpan<Tensor?> outputs)
    {
        var x = inputs[0]!;
        LinearKernel.Forward(x.Length / InFeatures, InFeatures, OutFeatures, x.Span, Weight.Value.Data, Bias is null ? default : Bias.Value.Data, outputs[0]!.Span);
    }

    /// <summary>dL/dx for the last forward; adds dL/dweight and dL/dbias into the parameters' gradients.</summary>
    void IOp.Backward(ReadOnlySpan<Tensor?> inputs, ReadOnlySpan<Tensor?> outputs, ReadOnlySpan<Tensor?> gradOutputs, ReadOnlySpan<Tensor?> gradInputs)
    {
        var x = inputs[0]!;
        LinearKernel.Backward(x.Length / InFeatures, InFeatures, OutFeatures, x.Span, Weight.Value.Data, gradOutputs[0]!.Span,
            gradInputs[0] is { } dx ? dx.Span : default, Weight.Grad.Data, Bias is null ? default : Bias.Grad.Data);
    }
}
