using OctaveML.Ops;
using OctaveML.Tensors;
using OctaveML.Tests.Infrastructure;

namespace OctaveML.Tests.Ops;

public class GlobalAvgPoolKernelTests
{
    private static Dictionary<string, Tensor> G => Golden.Load("ops");

    [Fact]
    public void Forward_and_backward_match_PyTorch()
    {
        var x = G["gap/x"];
        int planes = x.N * x.C, hw = x.H * x.W;
        var y = new float[planes];
        GlobalAvgPoolKernel.Forward(planes, hw, x.Data, y);
        Close.Assert(y, G["gap/y"].Data, "y");
        var dx = new float[x.Length];
        GlobalAvgPoolKernel.Backward(planes, hw, G["gap/dy"].Data, dx);
        Close.Assert(dx, G["gap/grad_x"].Data, "grad_x");
        var acc = Enumerable.Repeat(1f, x.Length).ToArray();
        GlobalAvgPoolKernel.Backward(planes, hw, G["gap/dy"].Data, acc, accumulate: true);
        Close.Assert(acc, G["gap/grad_x"].Data.Select(v => v + 1f).ToArray(), "accumulated");
    }

    [Fact]
    public void Backward_matches_finite_differences()
    {
        var x = FiniteDifference.RandomNormal(3 * 10, 1);
        var up = FiniteDifference.RandomNormal(3, 2);
        float[] Run(float[] v) { var y = new float[3]; GlobalAvgPoolKernel.Forward(3, 10, v, y); return y; }
        var dx = new float[x.Length];
        GlobalAvgPoolKernel.Backward(3, 10, up, dx);
        FiniteDifference.Check(Run, x, up, dx, "dx");
    }

    [Fact]
    public void Rejects_a_wrong_output_length()
    {
        var act = () => GlobalAvgPoolKernel.Forward(3, 10, new float[30], new float[30]);
        act.Should().Throw<ArgumentException>().WithParameterName("y").WithMessage("*expected 3*");
    }
}
