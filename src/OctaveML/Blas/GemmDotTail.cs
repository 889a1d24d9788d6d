namespace OctaveML.Blas;

/// <summary>The scalar end of the dot-product kernels' k loop, for k shorter than a vector.</summary>
internal static unsafe class GemmDotTail
{
    /// <summary>dots[r*cols + j] += sum over p in [p0, k) of a[r*lda + p] * b[j*ldb + p], in p order.</summary>
    public static void Add(int p0, int k, float* a, nint lda, int rows, float* b, nint ldb, int cols, float* dots)
    {
        for (int r = 0; r < rows; r++)
            for (int j = 0; j < cols; j++)
            {
                float* x = a + r * lda, y = b + j * ldb;
                float s = dots[r * cols + j];
                for (int p = p0; p < k; p++) s = MathF.FusedMultiplyAdd(x[p], y[p], s);
                dots[r * cols + j] = s;
            }
    }
}
