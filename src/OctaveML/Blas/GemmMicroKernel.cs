namespace OctaveML.Blas;

/// <summary>
/// A register-blocked GEMM micro-kernel: multiplies an MR x kc packed A micro-panel by a
/// kc x NR packed B micro-panel, keeping the MR x NR tile of C in registers, then writes it.
/// Implemented by structs so <see cref="GemmDriver{TKernel}"/> is specialised per kernel and the
/// kernel inlines into the loops around it.
/// </summary>
internal unsafe interface IGemmMicroKernel
{
    /// <summary>Rows of the C tile (A micro-panel height).</summary>
    static abstract int MR { get; }

    /// <summary>Columns of the C tile (B micro-panel width).</summary>
    static abstract int NR { get; }

    /// <summary>Depth of a packed block (sized so a B micro-panel stays in L1).</summary>
    static abstract int KC { get; }

    /// <summary>Rows of A packed at once (sized so the packed A block stays in L2).</summary>
    static abstract int MC { get; }

    /// <summary>Columns of B packed at once (the packed B block lives in L3).</summary>
    static abstract int NC { get; }

    /// <summary>
    /// acc = sum over p &lt; kc of a[p*MR + i] * b[p*NR + j]; then C[i, j] (row stride ldc) becomes
    /// alpha*acc when <paramref name="overwrite"/> (C is not read), otherwise
    /// fma(acc, alpha, beta*C). Callers pass beta = 1 when adding a later k block.
    /// alpha and beta come by pointer (alphaBeta[0], alphaBeta[1]): as float arguments they would
    /// pin two vector registers through the k loop and force an accumulator to spill.
    /// </summary>
    static abstract void Run(int kc, float* a, float* b, float* c, nint ldc, float* alphaBeta, bool overwrite);

    /// <summary>
    /// For a ragged tile (rows &lt;= MR real rows, cols &lt;= NR real columns): tile[i*NR + j] = acc
    /// for i &lt; rows, j &lt; cols (the rest is unspecified). Same products in the same order as
    /// <see cref="Run"/>, so an element gets a bit-identical sum on either path; this only skips
    /// (some of) the zero padding.
    /// </summary>
    static abstract void RunEdge(int rows, int cols, int kc, float* a, float* b, float* tile);
}
