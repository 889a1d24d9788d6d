using OctaveML.Tensors;

namespace OctaveML.Nn;

/// <summary>
/// The math of one graph node (a layer's kernels), over tensors a <see cref="GraphExecutor"/> provides:
/// the op never allocates or frees, it only says which of its inputs and outputs its backward reads.
/// Absent inputs and outputs (an octave pair without a low part) are null. An op keeps small state
/// of its last forward (batch statistics, pooling winners) for the backward that follows.
/// </summary>
internal interface IOp
{
    /// <summary>True when <see cref="Backward"/> reads forward input <paramref name="input"/>.</summary>
    bool SavesInput(int input);

    /// <summary>True when <see cref="Backward"/> reads forward output <paramref name="output"/>.</summary>
    bool SavesOutput(int output);

    /// <summary>The input that output <paramref name="output"/> may be written over (the kernel allows y = x), or -1.</summary>
    int InPlaceInput(int output) => -1;

    /// <summary>
    /// The input whose gradient equals input <paramref name="input"/>'s (written once: the executor lets both
    /// share a buffer when it can, and the op copies only when they differ), or -1.
    /// </summary>
    int SameGradientAs(int input) => -1;

    /// <summary>
    /// True when <see cref="Backward"/> accepts a null gradient for input <paramref name="input"/> (one nothing
    /// upstream needs, e.g. the images) and then computes only the parameter gradients; otherwise the executor
    /// gives it a scratch buffer to write.
    /// </summary>
    bool SkipsInputGradient(int input) => false;

    /// <summary>
    /// Multiply-adds of one forward at these input shapes (convolutions and linear layers; 0 for elementwise
    /// ops): the network's work, against which the planner weighs recomputing activations.
    /// </summary>
    long ForwardMacs(IReadOnlyList<int[]?> inputShapes) => 0;

    /// <summary>Writes every element of the outputs.</summary>
    void Forward(ReadOnlySpan<Tensor?> inputs, ReadOnlySpan<Tensor?> outputs);

    /// <summary>
    /// The backward of the last <see cref="Forward"/>: inputs and outputs hold the saved values (others null),
    /// writes every element of the non-null input gradients and adds into the parameters' gradients.
    /// </summary>
    void Backward(ReadOnlySpan<Tensor?> inputs, ReadOnlySpan<Tensor?> outputs, ReadOnlySpan<Tensor?> gradOutputs, ReadOnlySpan<Tensor?> gradInputs);
}
