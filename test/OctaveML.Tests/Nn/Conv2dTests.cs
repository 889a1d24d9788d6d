using OctaveML.Nn;
using OctaveML.Tensors;
using OctaveML.Tests.Infrastructure;

namespace OctaveML.Tests.Nn;

public class Conv2dTests
{
    private static Dictionary<string, Tensor> G => Golden.Load("ops");

    [Fact]
    public void Grouped_strided_convolution_matches_PyTorch()
    {
        var conv = new Conv2d(4, 6, 3, stride: 2, padding: 1, groups: 2, random: new Random(1));
        conv.LoadStateDict(new Dictionary<string, Tensor> { ["weight"] = G["conv_g2_s2/weight"], ["bias"] = G["conv_g2_s2/bias"] });
        var y = conv.Forward(G["conv_g2_s2/x"]);
        Close.Assert(y, G["conv_g2_s2/y"], "y");
        var dx = conv.Backward(G["conv_g2_s2/dy"]);
        Close.Assert(dx, G["conv_g2_s2/grad_x"], "grad_x");
        Close.Assert(conv.Weight.Grad, G["conv_g2_s2/grad_weight"], "grad_weight");
        Close.Assert(conv.Bias!.Grad, G["conv_g2_s2/grad_bias"], "grad_bias");
    }

    [Fact]
    public void Backward_matches_finite_differences()
    {
        var conv = new Conv2d(2, 3, 3, stride: 1, padding: 1, random: new Random(2));
        var x = new Tensor(FiniteDifference.RandomNormal(2 * 2 * 4 * 5, 3), 2, 2, 4, 5);
        var y = conv.Forward(x);
        var up = FiniteDifference.RandomNormal(y.Length, 4);
        var dx = conv.Backward(new Tensor(up, y.ShapeArray()));
        float[] Run(float[] v) => conv.Forward(new Tensor(v, x.ShapeArray())).Data;
        FiniteDifference.Check(Run, (float[])x.Data.Clone(), up, dx.Data, "dx");
        var w = conv.Weight.Value.Data;
        var dw = (float[])conv.Weight.Grad.Data.Clone();
        FiniteDifference.Check(v => { v.CopyTo(w, 0); return conv.Forward(x).Data; }, (float[])w.Clone(), up, dw, "dweight");
    }

    [Fact]
    public void Init_is_Kaiming_uniform_from_the_given_generator()
    {
        var a = new Conv2d(8, 16, 3, groups: 2, random: new Random(5));
        var b = new Conv2d(8, 16, 3, groups: 2, random: new Random(5));
        a.Weight.Value.Data.Should().Equal(b.Weight.Value.Data);
        a.Bias!.Value.Data.Should().Equal(b.Bias!.Value.Data);
        a.Weight.Value.ShapeString.Should().Be("[16, 4, 3, 3]");
        float bound = 1f / MathF.Sqrt(4 * 9);
        a.Weight.Value.Data.Should().OnlyContain(v => Math.Abs(v) <= bound);
        a.Weight.Value.Data.Max().Should().BeGreaterThan(0.8f * bound);
        a.Weight.Value.Data.Min().Should().BeLessThan(-0.8f * bound);
        a.StateDict().Keys.Should().Equal("weight", "bias");
        new Conv2d(8, 16, 1, bias: false, random: new Random(1)).StateDict().Keys.Should().Equal("weight");
    }

    [Fact]
    public void Rejects_bad_arguments_naming_them()
    {
        var act = () => new Conv2d(6, 8, 3, groups: 4);
        act.Should().Throw<ArgumentException>().WithParameterName("groups").WithMessage("*inChannels (6)*divisible by groups (4)*");
        var conv = new Conv2d(3, 4, 3, random: new Random(1));
        var act2 = () => conv.Forward(new Tensor(1, 2, 5, 5));
        act2.Should().Throw<ArgumentException>().WithParameterName("input").WithMessage("*[1, 2, 5, 5]*expected [N, 3, H, W]*");
        var act3 = () => conv.Backward(new Tensor(1, 4, 3, 3));
        act3.Should().Throw<InvalidOperationException>();
        conv.Forward(new Tensor(1, 3, 5, 5));
        var act4 = () => conv.Backward(new Tensor(1, 4, 5, 5));
        act4.Should().Throw<ArgumentException>().WithParameterName("gradOutput").WithMessage("*expected [1, 4, 3, 3]*");
    }
}
