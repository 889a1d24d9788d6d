namespace OctaveML.Kernels;

/// <summary>
/// Single-precision matrix product on row-major matrices:
/// C = alpha * op(A) * op(B) + beta * C, with op(X) = X or X transposed.
/// </summary>
public static class Gemm
{
    /// <summary>
    /// C[m x n] = alpha * op(A)[m x k] * op(B)[k x n] + beta * C. Row-major; <paramref name="lda"/>,
    /// <paramref name="ldb"/>, <paramref name="ldc"/> are row strides. With beta = 0, C is not read
    /// (NaNs in it do not propagate). <paramref name="maxThreads"/>: 0 = <see cref="Parallelism.Threads"/>,
    /// 1 = single-threaded (for callers that are already parallel).
    /// </summary>
    public static void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb,
        float beta, Span<float> c, int ldc, int maxThreads = 0)
    {
        // Reference implementation; the packed, register-blocked kernel replaces it.
        for (int i = 0; i < m; i++)
        {
            Span<float> crow = c.Slice(i * ldc, n);
            if (beta == 0) crow.Clear();
            else if (beta != 1) for (int j = 0; j < n; j++) crow[j] *= beta;
            for (int p = 0; p < k; p++)
            {
                float av = alpha * (transA ? a[p * lda + i] : a[i * lda + p]);
                if (av == 0) continue;
                if (!transB)
                {
                    ReadOnlySpan<float> brow = b.Slice(p * ldb, n);
                    for (int j = 0; j < n; j++) crow[j] += av * brow[j];
                }
                else
                {
                    for (int j = 0; j < n; j++) crow[j] += av * b[j * ldb + p];
                }
            }
        }
    }
}
