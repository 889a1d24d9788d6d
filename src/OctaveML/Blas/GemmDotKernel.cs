namespace OctaveML.Blas;

/// <summary>
/// Dot-product ("NT") kernel for C = A * B^T with A and B both contiguous along k: a block of
/// rows of A against a block of rows of B, accumulated along k in vectors and reduced
/// horizontally at the end. Nothing is packed.
/// </summary>
internal unsafe interface IGemmDotKernel
{
    /// <summary>Rows of A per block.</summary>
    static abstract int Rows { get; }

    /// <summary>Rows of B (columns of C) per block.</summary>
    static abstract int Cols { get; }

    /// <summary>
    /// dots[r*Cols + j] = sum over p &lt; k of a[r*lda + p] * b[j*ldb + p], for r &lt; Rows, j &lt; Cols:
    /// whole vectors of k first, then one masked vector ending at k for the last k % width depths
    /// (one by one when k is shorter than a vector).
    /// </summary>
    static abstract void Block(int k, float* a, nint lda, float* b, nint ldb, float* dots);

    /// <summary>sum over p &lt; k of a[p] * b[p], for edge rows and columns.</summary>
    static abstract float Dot(int k, float* a, float* b);
}
