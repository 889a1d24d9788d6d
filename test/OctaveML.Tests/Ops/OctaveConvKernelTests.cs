using OctaveML.Ops;
using OctaveML.Tests.Infrastructure;

namespace OctaveML.Tests.Ops;

public class OctaveConvKernelTests
{
    private static float[] Random(Random rng, int length)
    {
        var a = new float[length];
        for (int i = 0; i < a.Length; i++) a[i] = (float)(rng.NextDouble() * 2 - 1);
        return a;
    }

    /// <summary>
    /// Forward and backward of two kernels on the same random layer (channels 6+4 -> 5+3); asserts they agree.
    /// <paramref name="gradAtol"/>: absolute tolerance of the weight gradients (sums of thousands of products on big maps).
    /// </summary>
    private static void TwoKernelsAgree(int seed, int n, int k, int stride, int h, int w, Func<OctaveConvGeometry, OctaveConvKernel> first,
        Func<OctaveConvGeometry, OctaveConvKernel> second, int hin = 6, int lin = 4, int hout = 5, int lout = 3, int dilation = 1, float gradAtol = 1e-5f)
    {
        var rng = new Random(seed);
        var g = new OctaveConvGeometry(n, h, w, hin, lin, hout, lout, k, stride, k / 2 * dilation, dilation, new OctavePaths(1, 1, 1, 1));
        float[] xh = Random(rng, n * hin * h * w), xl = Random(rng, n * lin * g.XlH * g.XlW);
        float[][] weights = [Random(rng, hout * hin * k * k), Random(rng, hout * lin * k * k), Random(rng, lout * hin * k * k), Random(rng, lout * lin * k * k)];
        int yhLen = n * hout * g.OutHiH * g.OutHiW, ylLen = n * lout * g.OutLoH * g.OutLoW;
        float[] dyh = Random(rng, yhLen), dyl = Random(rng, ylLen);

        (float[] Yh, float[] Yl, float[] Dxh, float[] Dxl, float[][] Grads) Run(OctaveConvKernel kernel)
        {
            float[] yh = new float[yhLen], yl = new float[ylLen], dxh = new float[xh.Length], dxl = new float[xl.Length];
            yh.AsSpan().Fill(float.NaN); dxh.AsSpan().Fill(float.NaN); dxl.AsSpan().Fill(float.NaN); // every element must be written
            float[][] grads = weights.Select(x => new float[x.Length]).ToArray();
            kernel.Forward(xh, xl, weights, yh, yl);
            kernel.Backward(xh, xl, dyh, dyl, weights, grads, dxh, dxl);
            return (yh, yl, dxh, dxl, grads);
        }
        var a = Run(first(g));
        var b = Run(second(g));
        Close.Assert(a.Yh, b.Yh, "y_h"); Close.Assert(a.Yl, b.Yl, "y_l");
        Close.Assert(a.Dxh, b.Dxh, "dx_h"); Close.Assert(a.Dxl, b.Dxl, "dx_l");
        for (int i = 0; i < 4; i++) Close.Assert(a.Grads[i], b.Grads[i], $"grad {i}", atol: gradAtol);
        a.Grads.Where(gr => gr.Length > 0).Should().OnlyContain(gr => gr.Any(v => v != 0));
    }

    /// <summary>
    /// The indirect path (no im2col: padded planes and pointer rows) gives what the im2col path gives, for
    /// every path mix (plain, first and last octave layers), kernel size, dilation, odd maps and groups of images.
    /// </summary>
    [Theory]
    [InlineData(3, 1, 7, 9, 1, 6, 4, 5, 3, 1, true)]
    [InlineData(3, 1, 7, 9, 3, 6, 4, 5, 3, 1, true)]
    [InlineData(3, 1, 7, 9, 3, 6, 4, 5, 3, 1, false)]
    [InlineData(3, 1, 14, 14, 2, 8, 8, 8, 8, 1, true)]
    [InlineData(3, 1, 5, 6, 4, 9, 0, 6, 5, 1, true)]
    [InlineData(3, 1, 6, 5, 2, 7, 5, 9, 0, 1, true)]
    [InlineData(3, 1, 8, 8, 3, 13, 0, 17, 0, 1, true)]
    [InlineData(5, 1, 9, 7, 2, 6, 4, 5, 3, 1, true)]
    [InlineData(3, 1, 9, 9, 2, 6, 4, 5, 3, 2, true)]
    public void Indirect_and_im2col_paths_agree(int k, int stride, int h, int w, int group, int hin, int lin, int hout, int lout, int dilation, bool fusion) =>
        TwoKernelsAgree(31, 5, k, stride, h, w, g => new OctaveConvKernel(g, allowFusion: fusion, imagesPerGroup: group, indirect: true),
            g => new OctaveConvKernel(g, allowFusion: fusion, imagesPerGroup: group, indirect: false), hin, lin, hout, lout, dilation);

    /// <summary>
    /// A big single-image im2col matrix used a tile of columns at a time (a ragged last tile, stride 1 and 2,
    /// dilation, first and last octave layers, a tiled low source) gives what the whole matrix gives.
    /// </summary>
    [Theory]
    [InlineData(3, 1, 46, 46, 16, 16, 16, 16, 1, false)]
    [InlineData(3, 2, 92, 92, 16, 16, 16, 16, 1, false)]
    [InlineData(3, 1, 45, 47, 16, 16, 12, 20, 2, false)]
    [InlineData(3, 1, 46, 46, 24, 0, 16, 16, 1, false)]
    [InlineData(3, 1, 46, 46, 16, 16, 24, 0, 1, false)]
    [InlineData(5, 1, 46, 46, 8, 8, 8, 8, 1, false)]
    [InlineData(3, 1, 92, 92, 4, 4, 4, 4, 1, true)]
    public void Column_tiles_and_the_whole_im2col_matrix_agree(int k, int stride, int h, int w, int hin, int lin, int hout, int lout, int dilation, bool lowTiled)
    {
        (bool High, bool Low) tiled = default;
        TwoKernelsAgree(41, 3, k, stride, h, w, g =>
            {
                var kernel = new OctaveConvKernel(g, imagesPerGroup: 1, indirect: false, tileColumns: true);
                tiled = kernel.TilesColumns;
                return kernel;
            },
            g => new OctaveConvKernel(g, imagesPerGroup: 1, indirect: false, tileColumns: false), hin, lin, hout, lout, dilation, gradAtol: 1e-4f);
        tiled.High.Should().BeTrue("the shapes are chosen so that the high source is tiled");
        tiled.Low.Should().Be(lowTiled);
    }

    /// <summary>Packing h2h|l2h and h2l|l2l side by side into one GEMM gives the same results as separate GEMMs.</summary>
    [Theory]
    [InlineData(3, 1, 7, 9)]
    [InlineData(3, 2, 7, 9)]
    [InlineData(1, 1, 8, 6)]
    [InlineData(1, 2, 5, 5)]
    public void Fused_and_separate_gemms_agree(int k, int stride, int h, int w) =>
        TwoKernelsAgree(17, 2, k, stride, h, w, g => new OctaveConvKernel(g, allowFusion: true), g => new OctaveConvKernel(g, allowFusion: false));

    /// <summary>
    /// Images side by side in one GEMM (small maps) give the results of one GEMM per image, including a short last
    /// group; also where the weights are too big to stay packed, so 1x1 high maps are grouped too.
    /// </summary>
    [Theory]
    [InlineData(3, 1, 7, 9, 3, true)]
    [InlineData(3, 2, 7, 9, 2, true)]
    [InlineData(1, 1, 8, 6, 3, true)]
    [InlineData(1, 2, 5, 5, 4, true)]
    [InlineData(3, 1, 4, 4, 5, true)]
    [InlineData(1, 1, 8, 6, 3, false)]
    [InlineData(1, 2, 5, 5, 2, false)]
    [InlineData(3, 1, 7, 7, 4, false)]
    public void Grouped_images_and_one_image_per_gemm_agree(int k, int stride, int h, int w, int group, bool weightsFitCache) =>
        TwoKernelsAgree(23, 5, k, stride, h, w, g => new OctaveConvKernel(g, imagesPerGroup: group, weightsFitCache: weightsFitCache),
            g => new OctaveConvKernel(g, imagesPerGroup: 1));

    [Fact]
    public void Pooling_averages_the_covered_pixels_of_odd_maps()
    {
        // 3x3 -> 2x2: windows of 4, 2, 2 and 1 pixels.
        float[] x = [1, 2, 3, 4, 5, 6, 7, 8, 9];
        var y = new float[4];
        OctaveResample.Pool(x, 1, 3, 3, y);
        y.Should().Equal(3f, 4.5f, 7.5f, 9f);
        var dx = new float[9];
        OctaveResample.PoolBackwardAdd([4f, 2f, 2f, 1f], 1, 3, 3, dx);
        dx.Should().Equal(1f, 1f, 1f, 1f, 1f, 1f, 1f, 1f, 1f);
    }

    [Fact]
    public void Upsampling_is_cropped_and_its_adjoint_sums_the_covered_block()
    {
        float[] z = [1, 2, 3, 4];        // 2x2 -> 4x4, cropped to 3x3
        var y = new float[9];
        OctaveResample.UpsampleAdd(z, 1, 2, 2, y, 3, 3);
        y.Should().Equal(1f, 1f, 2f, 1f, 1f, 2f, 3f, 3f, 4f);
        var dz = new float[4];
        OctaveResample.UpsampleBackward([1f, 1f, 1f, 1f, 1f, 1f, 1f, 1f, 1f], 1, 3, 3, dz, 2, 2);
        dz.Should().Equal(4f, 2f, 2f, 1f);
    }
}
