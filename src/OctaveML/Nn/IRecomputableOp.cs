using OctaveML.Tensors;

namespace OctaveML.Nn;

/// <summary>
/// An op whose saved outputs can be rebuilt, bit for bit and without side effects, from its saved inputs and
/// the state of its last forward: the executor then frees those outputs after their forward readers and
/// recomputes them for backward (BN + ReLU outputs from the BN input that BN's backward keeps anyway; in
/// networks heavy in multiply-adds, the cheapest convolutions' outputs from their inputs).
/// </summary>
internal interface IRecomputableOp : IOp
{
    /// <summary>True when output <paramref name="output"/> can be recomputed.</summary>
    bool CanRecompute(int output);

    /// <summary>
    /// Writes the non-null <paramref name="outputs"/> of the last forward again from the saved inputs (an op whose
    /// kernel writes all its outputs at once gets all of them).
    /// </summary>
    void Recompute(ReadOnlySpan<Tensor?> inputs, ReadOnlySpan<Tensor?> outputs);
}
