using OctaveML.Nn;
using OctaveML.Tensors;
using OctaveML.Tests.Infrastructure;

namespace OctaveML.Tests.Nn;

public class LinearTests
{
    private static Dictionary<string, Tensor> G => Golden.Load("ops");

    [Fact]
    public void Forward_and_backward_match_PyTorch()
    {
        var fc = new Linear(10, 6, random: new Random(1));
        fc.StateDict().Keys.Should().Equal("weight", "bias");
        fc.LoadStateDict(new Dictionary<string, Tensor> { ["weight"] = G["linear/weight"], ["bias"] = G["linear/bias"] });
        Close.Assert(fc.Forward(G["linear/x"]), G["linear/y"], "y");
        Close.Assert(fc.Backward(G["linear/dy"]), G["linear/grad_x"], "grad_x");
        Close.Assert(fc.Weight.Grad, G["linear/grad_weight"], "grad_weight");
        Close.Assert(fc.Bias!.Grad, G["linear/grad_bias"], "grad_bias");
    }

    [Fact]
    public void Leading_dimensions_are_batch_dimensions()
    {
        var fc = new Linear(10, 6, random: new Random(1));
        fc.LoadStateDict(new Dictionary<string, Tensor> { ["weight"] = G["linear/weight"], ["bias"] = G["linear/bias"] });
        var y = fc.Forward(G["linear/x"].Reshape(2, 2, 10));
        y.ShapeString.Should().Be("[2, 2, 6]");
        Close.Assert(y.Data, G["linear/y"].Data, "y");
    }

    [Fact]
    public void Backward_matches_finite_differences()
    {
        var fc = new Linear(4, 3, random: new Random(3));
        var x = new Tensor(FiniteDifference.RandomNormal(8, 1), 2, 4);
        var up = FiniteDifference.RandomNormal(6, 2);
        fc.Forward(x);
        var dx = fc.Backward(new Tensor(up, 2, 3));
        FiniteDifference.Check(v => fc.Forward(new Tensor(v, 2, 4)).Data, (float[])x.Data.Clone(), up, dx.Data, "dx");
        var b = fc.Bias!.Value.Data;
        var db = (float[])fc.Bias.Grad.Data.Clone();
        FiniteDifference.Check(v => { v.CopyTo(b, 0); return fc.Forward(x).Data; }, (float[])b.Clone(), up, db, "dbias");
    }

    [Fact]
    public void Init_is_uniform_within_one_over_sqrt_fan_in()
    {
        var fc = new Linear(100, 50, random: new Random(7));
        fc.Weight.Value.Data.Should().OnlyContain(v => Math.Abs(v) <= 0.1f);
        fc.Bias!.Value.Data.Should().OnlyContain(v => Math.Abs(v) <= 0.1f);
        fc.Weight.Value.Data.Max().Should().BeGreaterThan(0.09f);
        new Linear(100, 50, random: new Random(7)).Weight.Value.Data.Should().Equal(fc.Weight.Value.Data);
        new Linear(3, 2, bias: false).StateDict().Keys.Should().Equal("weight");
    }

    [Fact]
    public void Rejects_a_wrong_input_shape()
    {
        var fc = new Linear(10, 6, random: new Random(1));
        var act = () => fc.Forward(new Tensor(4, 9));
        act.Should().Throw<ArgumentException>().WithParameterName("input").WithMessage("*[4, 9]*expected [N, 10]*");
    }
}
