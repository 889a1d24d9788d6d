using OctaveML.Bench;

namespace OctaveML.Bench.Tests;

/// <summary>The one-shape suites: <c>gemm</c> and <c>octconv-ab</c> measure what they are given and name bad arguments.</summary>
public class ShapeBenchTests
{
    /// <summary>The printed figure lines ("figure NAME VALUE") by name.</summary>
    private static IReadOnlyDictionary<string, double> Figures(StringWriter o) => SpeedTarget.Figures(o.ToString());

    [Fact]
    public void Gemm_prints_a_shapes_share_of_the_peak()
    {
        var o = new StringWriter();
        GemmShapeBench.Run(["24", "40", "16", "nt", "1", "Portable"], o, TextWriter.Null).Should().Be(0);
        Figures(o)["gemm_gflops_24x40x16_nt_1t_Portable"].Should().BePositive();
        Figures(o)["gemm_peak_fraction_24x40x16_nt_1t_Portable"].Should().BePositive();
    }

    [Theory]
    [InlineData(new[] { "8", "8" }, "usage: gemm M N K")]
    [InlineData(new[] { "8", "0", "8" }, "usage: gemm M N K")]
    [InlineData(new[] { "8", "8", "8", "nx" }, "transposes 'nx'")]
    [InlineData(new[] { "8", "8", "8", "nn", "zero" }, "threads 'zero'")]
    [InlineData(new[] { "8", "8", "8", "nn", "1", "Avx1024" }, "kernel 'Avx1024' is not one of")]
    public void Gemm_names_a_bad_argument(string[] args, string message)
    {
        var e = new StringWriter();
        GemmShapeBench.Run(args, TextWriter.Null, e).Should().Be(2);
        e.ToString().Should().Contain(message);
    }

    [Fact]
    public void Octconv_ab_compares_tiled_and_whole_im2col_on_one_layer()
    {
        var o = new StringWriter();
        // 16 high channels at 3x3 on a 46 px map: 144 x 2116 floats per image, so the high source is tiled.
        OctaveConvAbBench.Run(["16", "16", "16", "16", "46", "3", "1", "2", "2"], o, TextWriter.Null).Should().Be(0);
        o.ToString().Should().Contain("tiles (high, low): (True,");
        Figures(o)["octconv_ab_whole_over_tiled"].Should().BePositive();
        Figures(o)["octconv_ab_peak_fraction"].Should().BePositive();
    }

    [Theory]
    [InlineData(new[] { "16", "16", "16", "16" }, "usage: octconv-ab")]
    [InlineData(new[] { "16", "-1", "16", "16", "36" }, "argument 2 '-1' must be a non-negative integer")]
    [InlineData(new[] { "16", "16", "16", "16", "36", "0" }, "argument 6 '0' must be a positive integer")]
    public void Octconv_ab_names_a_bad_argument(string[] args, string message)
    {
        var e = new StringWriter();
        OctaveConvAbBench.Run(args, TextWriter.Null, e).Should().Be(2);
        e.ToString().Should().Contain(message);
    }
}
