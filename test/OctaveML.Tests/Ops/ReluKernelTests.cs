using OctaveML.Ops;
using OctaveML.Tensors;
using OctaveML.Tests.Infrastructure;

namespace OctaveML.Tests.Ops;

public class ReluKernelTests
{
    private static Dictionary<string, Tensor> G => Golden.Load("ops");

    [Fact]
    public void Backward_matches_PyTorch()
    {
        var x = G["relu/x"];
        var y = G["relu/y"].Data;
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
        static float[] Run(float[] v) => v.Select(e => Math.Max(e, 0f)).ToArray();
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
        var dx = new float[n];
        ReluKernel.Backward(x, dy, dx);
        // A plain loop: an assertion per element would dominate the run time.
        int badDx = Enumerable.Range(0, n).FirstOrDefault(i => dx[i] != (x[i] > 0 ? dy[i] : 0f), -1);
        badDx.Should().Be(-1, "every dx is dy where x > 0");
    }

    [Fact]
    public void Rejects_mismatched_lengths()
    {
        var act = () => ReluKernel.Backward(new float[4], new float[3], new float[4]);
        act.Should().Throw<ArgumentException>().WithParameterName("dy").WithMessage("*expected 4*");
        var act2 = () => ReluKernel.Backward(new float[4], new float[4], new float[5]);
        act2.Should().Throw<ArgumentException>().WithParameterName("dx");
    }
}
