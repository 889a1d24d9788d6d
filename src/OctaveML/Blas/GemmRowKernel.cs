namespace OctaveML.Blas;

/// <summary>
/// A register-blocked GEMM kernel like <see cref="IGemmMicroKernel"/>, but reading B in place:
/// kc rows of NR floats with row stride ldb, instead of a packed micro-panel. For products with
/// few rows of C (convolutions with few output channels), where packing B would copy each B
/// element to use it only MR times.
/// </summary>
internal unsafe interface IGemmRowKernel
{
    /// <summary>Rows of the C tile (packed A micro-panel height).</summary>
    static abstract int MR { get; }

    /// <summary>Columns of the C tile (floats read from each B row).</summary>
    static abstract int NR { get; }

    /// <summary>Depth of one pass when several row panels reuse a B strip (keeps the strip in L1).</summary>
    static abstract int KC { get; }

    /// <summary>Packs all of op(A) (m x k; stored k x m when <paramref name="trans"/>) as MR-row panels a[p*MR + i], zero-padded below m.</summary>
    static abstract void PackA(float* a, nint lda, bool trans, int m, int k, float* dst);

    /// <summary>
    /// acc = sum over p &lt; kc of a[p*MR + i] * b[p*ldb + j]; then C[i, j] (row stride ldc) becomes
    /// alpha*acc when <paramref name="overwrite"/> (C is not read), otherwise fma(acc, alpha, beta*C).
    /// </summary>
    static abstract void Run(int kc, float* a, float* b, nint ldb, float* c, nint ldc, float* alphaBeta, bool overwrite);
}
