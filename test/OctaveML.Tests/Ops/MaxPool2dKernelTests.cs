using OctaveML.Ops;
using OctaveML.Tensors;
using OctaveML.Tests.Infrastructure;

namespace OctaveML.Tests.Ops;

public class MaxPool2dKernelTests
{
    private static Dictionary<string, Tensor> G => Golden.Load("ops");

    [Theory]
    [InlineData("maxpool_8x8")]
    [InlineData("maxpool_7x9")]
    [InlineData("maxpool_2x3")]
    [InlineData("maxpool_5x40")]
    public void Stem_pooling_matches_PyTorch(string name)
    {
        var x = G[$"{name}/x"]; var yRef = G[$"{name}/y"];
        int planes = x.N * x.C;
        MaxPool2dKernel.OutSize(x.H, 3, 2, 1).Should().Be(yRef.H);
        MaxPool2dKernel.OutSize(x.W, 3, 2, 1).Should().Be(yRef.W);
        var y = new float[yRef.Length]; var arg = new int[yRef.Length];
        MaxPool2dKernel.Forward(planes, x.H, x.W, 3, 2, 1, x.Data, y, arg);
        Close.Assert(y, yRef.Data, "y");
        var dx = new float[x.Length];
        MaxPool2dKernel.Backward(planes, x.H, x.W, 3, 2, 1, G[$"{name}/dy"].Data, arg, dx);
        Close.Assert(dx, G[$"{name}/grad_x"].Data, "grad_x");
    }

    [Fact]
    public void Backward_matches_finite_differences()
    {
        int planes = 2, h = 6, w = 5, oh = 3, ow = 3;
        // Distinct values 0.1 apart (shuffled): no near-ties, so max is differentiable at x.
        var x = Enumerable.Range(0, planes * h * w).Select(i => i * 0.1f).ToArray();
        new Random(1).Shuffle(x);
        var up = FiniteDifference.RandomNormal(planes * oh * ow, 2);
        float[] Run(float[] v) { var y = new float[up.Length]; MaxPool2dKernel.Forward(planes, h, w, 3, 2, 1, v, y, new int[up.Length]); return y; }
        var arg = new int[up.Length];
        MaxPool2dKernel.Forward(planes, h, w, 3, 2, 1, x, new float[up.Length], arg);
        var dx = new float[x.Length];
        MaxPool2dKernel.Backward(planes, h, w, 3, 2, 1, up, arg, dx);
        FiniteDifference.Check(Run, x, up, dx, "dx", 1e-3f, samples: 60);
    }

    [Fact]
    public void Ties_go_to_the_first_element_and_NaN_propagates()
    {
        var x = new float[] { 1, 5, 5, 5 }; // 2x2 plane, one 3x3 window covers all
        var y = new float[1]; var arg = new int[1];
        MaxPool2dKernel.Forward(1, 2, 2, 3, 2, 1, x, y, arg);
        y[0].Should().Be(5); arg[0].Should().Be(1);
        x[2] = float.NaN;
        MaxPool2dKernel.Forward(1, 2, 2, 3, 2, 1, x, y, arg);
        float.IsNaN(y[0]).Should().BeTrue(); arg[0].Should().Be(2);
    }

    [Theory]
    [InlineData(3, 2, 1, 7, 37)]
    [InlineData(3, 2, 1, 6, 40)]
    [InlineData(2, 2, 0, 5, 9)]
    [InlineData(3, 1, 1, 4, 5)]
    public void Matches_a_naive_loop_with_ties_and_NaNs(int k, int s, int p, int h, int w)
    {
        var rng = new Random(h * 100 + w);
        // Few distinct values: many ties; a few NaNs and -inf.
        var x = Enumerable.Range(0, 2 * h * w).Select(_ => rng.Next(20) switch
        {
            0 => float.NaN,
            1 => float.NegativeInfinity,
            var v => (float)(v % 5),
        }).ToArray();
        int oh = MaxPool2dKernel.OutSize(h, k, s, p), ow = MaxPool2dKernel.OutSize(w, k, s, p);
        var y = new float[2 * oh * ow]; var arg = new int[y.Length];
        MaxPool2dKernel.Forward(2, h, w, k, s, p, x, y, arg);
        for (int pl = 0; pl < 2; pl++)
            for (int i = 0; i < oh; i++)
                for (int j = 0; j < ow; j++)
                {
                    // PyTorch's loop: start at the first in-window element, take v if v > max or v is NaN.
                    int hs = Math.Max(i * s - p, 0), ws = Math.Max(j * s - p, 0);
                    int he = Math.Min(i * s - p + k, h), we = Math.Min(j * s - p + k, w);
                    float m = float.NegativeInfinity; int best = hs * w + ws;
                    for (int a = hs; a < he; a++)
                        for (int b = ws; b < we; b++)
                        {
                            float v = x[pl * h * w + a * w + b];
                            if (v > m || float.IsNaN(v)) { m = v; best = a * w + b; }
                        }
                    int o = (pl * oh + i) * ow + j;
                    if (arg[o] != best || !(y[o].Equals(m)))
                        throw new Xunit.Sdk.XunitException($"plane {pl} output ({i}, {j}): got {y[o]} at {arg[o]}, expected {m} at {best}");
                }
    }

    [Fact]
    public void Rejects_padding_above_half_the_kernel()
    {
        var act = () => MaxPool2dKernel.Forward(1, 4, 4, 3, 2, 2, new float[16], new float[9], new int[9]);
        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("padding").WithMessage("*[0, 1]*");
        var act2 = () => MaxPool2dKernel.Forward(1, 4, 4, 3, 2, 1, new float[16], new float[4], new int[3]);
        act2.Should().Throw<ArgumentException>().WithParameterName("argmax");
    }
}
