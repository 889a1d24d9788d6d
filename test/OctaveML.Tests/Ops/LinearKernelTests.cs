using OctaveML.Ops;
using OctaveML.Tensors;
using OctaveML.Tests.Infrastructure;

namespace OctaveML.Tests.Ops;

public class LinearKernelTests
{
    private static Dictionary<string, Tensor> G => Golden.Load("ops");

    [Fact]
    public void Forward_and_backward_match_PyTorch()
    {
        var x = G["linear/x"]; var w = G["linear/weight"]; var b = G["linear/bias"];
        int n = x.Dim(0), i = x.Dim(1), o = w.Dim(0);
        var y = new float[n * o];
        LinearKernel.Forward(n, i, o, x.Data, w.Data, b.Data, y);
        Close.Assert(y, G["linear/y"].Data, "y");
        var dx = new float[x.Length]; var dw = new float[w.Length]; var db = new float[o];
        LinearKernel.Backward(n, i, o, x.Data, w.Data, G["linear/dy"].Data, dx, dw, db);
        Close.Assert(dx, G["linear/grad_x"].Data, "grad_x");
        Close.Assert(dw, G["linear/grad_weight"].Data, "grad_weight");
        Close.Assert(db, G["linear/grad_bias"].Data, "grad_bias");

        // Parameter gradients accumulate; dx accumulates on request.
        LinearKernel.Backward(n, i, o, x.Data, w.Data, G["linear/dy"].Data, dx, dw, db, accumulate: true);
        Close.Assert(dx, G["linear/grad_x"].Data.Select(v => 2 * v).ToArray(), "grad_x twice");
        Close.Assert(dw, G["linear/grad_weight"].Data.Select(v => 2 * v).ToArray(), "grad_weight twice");
        Close.Assert(db, G["linear/grad_bias"].Data.Select(v => 2 * v).ToArray(), "grad_bias twice");
    }

    [Fact]
    public void Backward_matches_finite_differences()
    {
        int n = 3, i = 5, o = 4;
        var x = FiniteDifference.RandomNormal(n * i, 1); var w = FiniteDifference.RandomNormal(o * i, 2);
        var b = FiniteDifference.RandomNormal(o, 3); var up = FiniteDifference.RandomNormal(n * o, 4);
        float[] Run(float[] xx, float[] ww, float[] bb) { var y = new float[n * o]; LinearKernel.Forward(n, i, o, xx, ww, bb, y); return y; }
        var dx = new float[x.Length]; var dw = new float[w.Length]; var db = new float[o];
        LinearKernel.Backward(n, i, o, x, w, up, dx, dw, db);
        FiniteDifference.Check(v => Run(v, w, b), x, up, dx, "dx");
        FiniteDifference.Check(v => Run(x, v, b), w, up, dw, "dweight");
        FiniteDifference.Check(v => Run(x, w, v), b, up, db, "dbias");
    }

    [Fact]
    public void Rejects_a_wrong_weight_shape()
    {
        var act = () => LinearKernel.Forward(2, 3, 4, new float[6], new float[11], new float[4], new float[8]);
        act.Should().Throw<ArgumentException>().WithParameterName("weight").WithMessage("*expected 12 (out 4 x in 3)*");
    }
}
