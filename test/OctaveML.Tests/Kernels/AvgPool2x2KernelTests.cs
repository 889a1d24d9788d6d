using OctaveML.Kernels;
using OctaveML.Tensors;
using OctaveML.Tests.Infrastructure;

namespace OctaveML.Tests.Kernels;

public class AvgPool2x2KernelTests
{
    private static Dictionary<string, Tensor> G => Golden.Load("ops");

    [Theory]
    [InlineData("avgpool_8x8")]
    [InlineData("avgpool_7x9")]
    [InlineData("avgpool_5x4")]
    [InlineData("avgpool_1x3")]
    [InlineData("avgpool_3x34")]
    public void CeilModeForwardAndBackwardMatchPyTorch(string name)
    {
        var x = G[$"{name}/x"];
        int planes = x.N * x.C;
        var y = new float[G[$"{name}/y"].Length];
        AvgPool2x2Kernel.Forward(planes, x.H, x.W, x.Data, y);
        Close.Assert(y, G[$"{name}/y"].Data, "y");
        var dx = new float[x.Length];
        AvgPool2x2Kernel.Backward(planes, x.H, x.W, G[$"{name}/dy"].Data, dx);
        Close.Assert(dx, G[$"{name}/grad_x"].Data, "grad_x");
    }

    [Theory]
    [InlineData(5, 7)]
    [InlineData(4, 18)]
    public void BackwardMatchesFiniteDifferences(int h, int w)
    {
        int planes = 2, oh = AvgPool2x2Kernel.OutSize(h), ow = AvgPool2x2Kernel.OutSize(w);
        var x = FiniteDifference.RandomNormal(planes * h * w, 1);
        var up = FiniteDifference.RandomNormal(planes * oh * ow, 2);
        float[] Run(float[] v) { var y = new float[up.Length]; AvgPool2x2Kernel.Forward(planes, h, w, v, y); return y; }
        var dx = new float[x.Length];
        AvgPool2x2Kernel.Backward(planes, h, w, up, dx);
        FiniteDifference.Check(Run, x, up, dx, "dx", samples: 40);
    }

    [Fact]
    public void AccumulateAddsInBothDirections()
    {
        int planes = 3, h = 7, w = 21;
        var x = FiniteDifference.RandomNormal(planes * h * w, 3);
        var y = new float[planes * 4 * 11];
        AvgPool2x2Kernel.Forward(planes, h, w, x, y);
        var yAcc = Enumerable.Repeat(1f, y.Length).ToArray();
        AvgPool2x2Kernel.Forward(planes, h, w, x, yAcc, accumulate: true);
        Close.Assert(yAcc, y.Select(v => v + 1f).ToArray(), "accumulated y");
        var dx = new float[x.Length];
        AvgPool2x2Kernel.Backward(planes, h, w, y, dx);
        var dxAcc = Enumerable.Repeat(-1f, x.Length).ToArray();
        AvgPool2x2Kernel.Backward(planes, h, w, y, dxAcc, accumulate: true);
        Close.Assert(dxAcc, dx.Select(v => v - 1f).ToArray(), "accumulated dx");
    }

    [Fact]
    public void RejectsWrongOutputSize()
    {
        var act = () => AvgPool2x2Kernel.Forward(2, 7, 9, new float[2 * 63], new float[2 * 3 * 4]);
        act.Should().Throw<ArgumentException>().WithParameterName("y").WithMessage("*expected 40*4 x 5*");
        var act2 = () => AvgPool2x2Kernel.Forward(2, 0, 9, new float[0], new float[0]);
        act2.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("height");
    }
}
