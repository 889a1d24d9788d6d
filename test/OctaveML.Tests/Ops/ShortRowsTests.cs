using OctaveML.Ops;

namespace OctaveML.Tests.Ops;

public class ShortRowsTests
{
    [Fact]
    public unsafe void CopyEven_takes_every_other_float_and_writes_n()
    {
        for (int n = 0; n <= 70; n++)
        {
            // The source ends at s[2 (n - 1)], followed by a NaN that must not reach the output.
            float[] src = Enumerable.Range(0, Math.Max(0, 2 * n - 1)).Select(i => i * 0.5f + 1).Append(float.NaN).ToArray();
            float[] dst = new float[n + 1];
            dst[n] = -7f;
            fixed (float* s = src, d = dst) ShortRows.CopyEven(s, d, n);
            for (int i = 0; i < n; i++) dst[i].Should().Be(src[2 * i], $"n {n}, i {i}");
            dst[n].Should().Be(-7f, "nothing is written past n");
        }
    }
}
