using OctaveML.Blas;
using OctaveML.Tests.Infrastructure;

namespace OctaveML.Tests.Blas;

/// <summary>The pointer-row products against plain loops, with B rows scattered through one buffer in any order.</summary>
public unsafe class GemmIndirectTests
{
    /// <summary>A buffer of random values and k row pointers into it at random offsets (rows overlap, as convolution taps do).</summary>
    private static (float[] Buffer, nint[] Rows) RandomRows(Random rng, int k, int n)
    {
        var buffer = new float[4 * n + 64];
        for (int i = 0; i < buffer.Length; i++) buffer[i] = (float)(rng.NextDouble() * 2 - 1);
        var offsets = new nint[k];
        for (int p = 0; p < k; p++) offsets[p] = rng.Next(0, buffer.Length - n + 1);
        return (buffer, offsets);
    }

    private static float[] Random(Random rng, int length) =>
        Enumerable.Range(0, length).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();

    [Theory]
    [InlineData(8, 24, 72, 0f)]
    [InlineData(5, 48, 9, 0f)]
    [InlineData(16, 72, 144, 1f)]
    [InlineData(3, 24, 1, 0.5f)]
    [InlineData(9, 96, 300, 1f)]   // two k slices
    public void Multiply_matches_a_plain_product(int m, int n, int k, float beta)
    {
        if (!GemmIndirect.IsSupported) return;
        var rng = new Random(m * 1000 + n + k);
        var (buffer, offsets) = RandomRows(rng, k, n);
        float[] a = Random(rng, m * k), c = Random(rng, m * (n + 5));
        int ldc = n + 5;
        var expected = (float[])c.Clone();
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double s = 0;
                for (int p = 0; p < k; p++) s += (double)a[i * k + p] * buffer[offsets[p] + j];
                expected[i * ldc + j] = (float)(s + beta * c[i * ldc + j]);
            }
        fixed (float* pb = buffer, pa = a, pc = c)
        {
            var rows = new nint[k];
            for (int p = 0; p < k; p++) rows[p] = (nint)(pb + offsets[p]);
            fixed (nint* pr = rows) GemmIndirect.Multiply(m, n, k, pa, k, (float**)pr, beta, pc, ldc);
        }
        Close.Assert(c, expected, "C", rtol: 1e-4f, atol: 1e-4f);
    }

    [Theory]
    [InlineData(8, 72, 96, 0f)]
    [InlineData(5, 7, 24, 1f)]
    [InlineData(16, 144, 888, 0f)]
    [InlineData(1, 2, 8, 0.5f)]
    public void Dots_match_plain_sums(int m, int k, int n, float beta)
    {
        if (!GemmIndirect.IsSupported) return;
        var rng = new Random(m * 1000 + n + k);
        var (buffer, offsets) = RandomRows(rng, k, n);
        int lda = n + 3, ldw = k + 2;
        float[] a = Random(rng, m * lda), w = Random(rng, m * ldw);
        var expected = (float[])w.Clone();
        for (int i = 0; i < m; i++)
            for (int r = 0; r < k; r++)
            {
                double s = 0;
                for (int j = 0; j < n; j++) s += (double)a[i * lda + j] * buffer[offsets[r] + j];
                expected[i * ldw + r] = (float)(s + beta * w[i * ldw + r]);
            }
        fixed (float* pb = buffer, pa = a, pw = w)
        {
            var rows = new nint[k];
            for (int r = 0; r < k; r++) rows[r] = (nint)(pb + offsets[r]);
            fixed (nint* pr = rows) GemmIndirect.Dots(m, k, n, pa, lda, (float**)pr, beta, pw, ldw);
        }
        Close.Assert(w, expected, "W", rtol: 1e-4f, atol: 1e-4f);
    }

    [Fact]
    public void Shapes_the_kernels_cannot_take_are_refused()
    {
        if (!GemmIndirect.IsSupported) return;
        var act1 = () => GemmIndirect.Multiply(4, 20, 3, null, 3, null, 0f, null, 20);
        act1.Should().Throw<ArgumentException>().WithMessage("*multiple of 24*");
        var act2 = () => GemmIndirect.Dots(4, 3, 12, null, 12, null, 0f, null, 3);
        act2.Should().Throw<ArgumentException>().WithMessage("*multiple of 8*");
    }
}
