using OctaveML.Kernels;
using OctaveML.Tensors;
using OctaveML.Tests.Infrastructure;

namespace OctaveML.Tests.Kernels;

public class UpsampleNearest2xKernelTests
{
    private static Dictionary<string, Tensor> G => Golden.Load("ops");

    [Theory]
    [InlineData("upsample_4x5_to_8x10")]
    [InlineData("upsample_4x5_to_7x9")]
    [InlineData("upsample_3x20_to_5x39")]
    [InlineData("upsample_2x2_to_3x4")]
    public void CroppedForwardAndBackwardMatchPyTorch(string name)
    {
        var x = G[$"{name}/x"]; var yRef = G[$"{name}/y"];
        int planes = x.N * x.C;
        var y = new float[yRef.Length];
        UpsampleNearest2xKernel.Forward(planes, x.H, x.W, yRef.H, yRef.W, x.Data, y);
        Close.Assert(y, yRef.Data, "y");
        var dx = new float[x.Length];
        UpsampleNearest2xKernel.Backward(planes, x.H, x.W, yRef.H, yRef.W, G[$"{name}/dy"].Data, dx);
        Close.Assert(dx, G[$"{name}/grad_x"].Data, "grad_x");

        // Accumulate: the octave layer adds the low->high path onto the high->high one.
        var acc = Enumerable.Repeat(0.5f, y.Length).ToArray();
        UpsampleNearest2xKernel.Forward(planes, x.H, x.W, yRef.H, yRef.W, x.Data, acc, accumulate: true);
        Close.Assert(acc, yRef.Data.Select(v => v + 0.5f).ToArray(), "accumulated y");
        var dAcc = Enumerable.Repeat(2f, x.Length).ToArray();
        UpsampleNearest2xKernel.Backward(planes, x.H, x.W, yRef.H, yRef.W, G[$"{name}/dy"].Data, dAcc, accumulate: true);
        Close.Assert(dAcc, G[$"{name}/grad_x"].Data.Select(v => v + 2f).ToArray(), "accumulated grad_x");
    }

    [Fact]
    public void BackwardMatchesFiniteDifferencesWithACropOfMoreThanOne()
    {
        int planes = 2, h = 4, w = 11, oh = 5, ow = 17; // rows 3 and columns 9..10 get no gradient
        var x = FiniteDifference.RandomNormal(planes * h * w, 1);
        var up = FiniteDifference.RandomNormal(planes * oh * ow, 2);
        float[] Run(float[] v) { var y = new float[up.Length]; UpsampleNearest2xKernel.Forward(planes, h, w, oh, ow, v, y); return y; }
        var dx = Enumerable.Repeat(float.NaN, x.Length).ToArray(); // must be fully overwritten
        UpsampleNearest2xKernel.Backward(planes, h, w, oh, ow, up, dx);
        FiniteDifference.Check(Run, x, up, dx, "dx", samples: 88);
    }

    [Fact]
    public void RejectsAnOutputLargerThanTwiceTheInput()
    {
        var act = () => UpsampleNearest2xKernel.Forward(1, 3, 3, 7, 6, new float[9], new float[42]);
        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("outHeight").WithMessage("*[1, 6]*");
        var act2 = () => UpsampleNearest2xKernel.Forward(1, 3, 3, 6, 6, new float[9], new float[35]);
        act2.Should().Throw<ArgumentException>().WithParameterName("y").WithMessage("*expected 36*");
    }
}
