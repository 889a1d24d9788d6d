using OctaveML.Tensors;

namespace OctaveML.Nn;

/// <summary>
/// An op whose saved output can be rebuilt, bit for bit and without side effects, from its saved inputs and
/// the state of its last forward: the executor then frees that output after its forward readers and
/// recomputes it for backward (BN + ReLU outputs, from the BN input that BN's backward keeps anyway).
/// </summary>
internal interface IRecomputableOp : IOp
{
    /// <summary>True when output <paramref name="output"/> can be recomputed.</summary>
    bool CanRecompute(int output);

    /// <summary>Writes output <paramref name="output"/> of the last forward into <paramref name="into"/>, from the saved inputs.</summary>
    void Recompute(ReadOnlySpan<Tensor?> inputs, int output, Tensor into);
}
