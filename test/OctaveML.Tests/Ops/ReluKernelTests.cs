using OctaveML.Ops;
using OctaveML.Tensors;
using OctaveML.Tests.Infrastructure;

namespace OctaveML.Tests.Ops;

public class ReluKernelTests
{
    private static Dictionary<string, Tensor> G => Golden.Load("ops");

    [Fact]
    public void Forward_and_backward_match_PyTorch()
    {
        var x = G["relu/x"];
        var y = new float[x.Length];
        ReluKernel.Forward(x.Data, y);
        Close.Assert(y, G["relu/y"].Data, "y");
        var dx = new float[x.Length];
        ReluKernel.Backward(y, G["relu/dy"].Data, dx);
        Close.Assert(dx, G["relu/grad_x"].Data, "grad_x from output");
        ReluKernel.Backward(x.Data, G["relu/dy"].Data, dx);
        Close.Assert(dx, G["relu/grad_x"].Data, "grad_x from input");
    }

    [Fact]
    public void Backward_matches_finite_differences_and_accumulates()
    {
        var x = FiniteDifference.RandomNormal(37, 1);
        var up = FiniteDifference.RandomNormal(37, 2);
        float[] Run(float[] v) { var y = new float[v.Length]; ReluKernel.Forward(v, y); return y; }
        var dx = new float[x.Length];
        ReluKernel.Backward(Run(x), up, dx);
        FiniteDifference.Check(Run, x, up, dx, "dx", 1e-3f);
        var acc = Enumerable.Repeat(2f, x.Length).ToArray();
        ReluKernel.Backward(x, up, acc, accumulate: true);
        Close.Assert(acc, dx.Select(v => v + 2f).ToArray(), "accumulated");
    }

    [Fact]
    public void Large_inputs_split_over_threads_give_the_same_result()
    {
        int n = 200_003; // not a multiple of the vector width or the chunk size
        var x = FiniteDifference.RandomNormal(n, 3);
        var dy = FiniteDifference.RandomNormal(n, 4);
        var y = new float[n]; var dx = new float[n];
        ReluKernel.Forward(x, y);
        ReluKernel.Backward(y, dy, dx);
        // Plain loops: an assertion per element would dominate the run time.
        int badY = Enumerable.Range(0, n).FirstOrDefault(i => y[i] != Math.Max(x[i], 0f), -1);
        int badDx = Enumerable.Range(0, n).FirstOrDefault(i => dx[i] != (x[i] > 0 ? dy[i] : 0f), -1);
        badY.Should().Be(-1, "every y is max(x, 0)");
        badDx.Should().Be(-1, "every dx is dy where x > 0");
    }

    [Fact]
    public void Rejects_mismatched_lengths()
    {
        var act = () => ReluKernel.Forward(new float[4], new float[3]);
        act.Should().Throw<ArgumentException>().WithParameterName("y").WithMessage("*expected 4*");
        var act2 = () => ReluKernel.Backward(new float[4], new float[4], new float[5]);
        act2.Should().Throw<ArgumentException>().WithParameterName("dx");
    }
}
