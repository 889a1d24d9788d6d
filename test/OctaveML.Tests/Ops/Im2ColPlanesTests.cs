using OctaveML.Ops;

namespace OctaveML.Tests.Ops;

public class Im2ColPlanesTests
{
    /// <summary>
    /// The definition, as (column-matrix index, image index or -1 outside) pairs in row order (c, ky, kx):
    /// col[(c, ky, kx), oy * w + ox] = x[c, oy + ky*dil - pad, ox + kx*dil - pad], 0 outside.
    /// </summary>
    private static IEnumerable<(int Col, int Image)> Taps(int channels, int h, int w, int k, int pad, int dil, int ldCol)
    {
        for (int c = 0; c < channels; c++)
            for (int ky = 0; ky < k; ky++)
                for (int kx = 0; kx < k; kx++)
                    for (int oy = 0; oy < h; oy++)
                        for (int ox = 0; ox < w; ox++)
                        {
                            int iy = oy + ky * dil - pad, ix = ox + kx * dil - pad;
                            yield return (((c * k + ky) * k + kx) * ldCol + oy * w + ox, iy >= 0 && iy < h && ix >= 0 && ix < w ? (c * h + iy) * w + ix : -1);
                        }
    }

    public static IEnumerable<object[]> Shapes()
    {
        foreach (int h in new[] { 1, 2, 3, 7, 14, 17 })
            foreach (int w in new[] { 1, 2, 5, 7, 16, 29 })
                foreach (var (k, dil) in new[] { (3, 1), (5, 1), (3, 2) })
                    yield return [h, w, k, dil];
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public unsafe void Unfold_and_fold_match_the_definition_bit_for_bit(int h, int w, int k, int dil)
    {
        int channels = 3, pad = (k - 1) * dil / 2, p = h * w, ldCol = p + 5;
        var rng = new Random(h * 100 + w * 10 + k + dil);
        float[] x = Enumerable.Range(0, channels * p).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
        var expected = new float[channels * k * k * ldCol];
        foreach (var (ci, xi) in Taps(channels, h, w, k, pad, dil, ldCol)) expected[ci] = xi >= 0 ? x[xi] : 0f;
        var col = new float[expected.Length];
        col.AsSpan().Fill(float.NaN); // the gaps between rows stay untouched; every row element is written
        fixed (float* px = x, pc = col) Im2ColPlanes.Unfold(px, channels, h, w, k, pad, dil, pc, ldCol);
        for (int r = 0; r < channels * k * k; r++)
        {
            col.AsSpan(r * ldCol, p).ToArray().Should().Equal(expected.AsSpan(r * ldCol, p).ToArray(), $"row {r}");
            col.AsSpan(r * ldCol + p, ldCol - p).ToArray().Should().OnlyContain(v => float.IsNaN(v));
        }

        // Fold: the adjoint, adding in the order (c, ky, kx) of the rows, onto a non-zero image.
        float[] g = Enumerable.Range(0, expected.Length).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
        float[] start = Enumerable.Range(0, channels * p).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
        float[] want = (float[])start.Clone();
        foreach (var (ci, xi) in Taps(channels, h, w, k, pad, dil, ldCol))
            if (xi >= 0) want[xi] += g[ci];
        float[] got = (float[])start.Clone();
        fixed (float* pg = g, pd = got) Im2ColPlanes.Fold(pg, ldCol, channels, h, w, k, pad, dil, pd);
        got.Should().Equal(want);
    }

    [Theory]
    [InlineData(3, 1, 1, 1, true)]
    [InlineData(5, 1, 2, 1, true)]
    [InlineData(3, 1, 2, 2, true)]
    [InlineData(3, 1, 0, 1, false)]
    [InlineData(3, 2, 1, 1, false)]
    [InlineData(3, 1, 1, 2, false)]
    [InlineData(1, 1, 0, 1, true)]
    public void Applies_to_stride_one_same_convolutions_only(int k, int stride, int pad, int dil, bool applies) =>
        Im2ColPlanes.Applies(k, stride, pad, dil).Should().Be(applies);
}
