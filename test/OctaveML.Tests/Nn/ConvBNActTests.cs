using OctaveML.Nn;
using OctaveML.Tensors;
using OctaveML.Tests.Infrastructure;

namespace OctaveML.Tests.Nn;

public class ConvBNActTests
{
    public static IEnumerable<object[]> Cases() => OctaveCase.OfKind(1);
    public static IEnumerable<object[]> StatsCases() => OctaveCase.OfKind(2);

    /// <summary>Conv_BN_ACT in training mode against the reference: outputs, input and every parameter gradient.</summary>
    [Theory]
    [MemberData(nameof(Cases))]
    public void Matches_reference_in_training_mode(string name)
    {
        var c = OctaveCase.Get(name);
        var layer = c.NewConvBNAct();
        layer.StateDict().Keys.Should().BeEquivalentTo(c.StateDict().Keys);
        layer.LoadStateDict(c.StateDict());
        var y = layer.Forward(c.Input());

        Close.Assert(y.High, c["out_h"], $"{name} out_h");
        var outL = c.Optional("out_l");
        if (outL is null) y.Low.Should().BeNull();
        else Close.Assert(y.Low!, outL, $"{name} out_l");

        var dx = layer.Backward(new OctaveTensor(c["g_h"], c.Optional("g_l")));
        Close.Assert(dx.High, c["grad_x_h"], $"{name} grad_x_h");
        var gxl = c.Optional("grad_x_l");
        if (gxl is null) dx.Low.Should().BeNull();
        else Close.Assert(dx.Low!, gxl, $"{name} grad_x_l");
        foreach (var (pname, p) in layer.NamedParameters())
            Close.Assert(p.Grad, c["grad." + pname], $"{name} grad.{pname}");
    }

    /// <summary>BN running statistics of an octave layer after three training steps equal PyTorch's.</summary>
    [Theory]
    [MemberData(nameof(StatsCases))]
    public void Running_statistics_match_reference_after_three_steps(string name)
    {
        var c = OctaveCase.Get(name);
        var layer = c.NewConvBNAct();
        layer.LoadStateDict(c.StateDict());
        for (int step = 0; step < 3; step++)
            layer.Forward(c.Input("." + step));
        int checkedBuffers = 0;
        foreach (var (bname, buffer) in layer.NamedBuffers())
        {
            Close.Assert(buffer, c["after." + bname], $"{name} {bname}");
            checkedBuffers++;
        }
        checkedBuffers.Should().Be(c.AlphaOut != 0 ? 6 : 3);
    }

    [Theory]
    [InlineData(0.5, 0.5, 1, 1, 7, 5)]
    [InlineData(0.5, 0.5, 2, 1, 7, 9)]
    [InlineData(0.0, 0.5, 2, 1, 6, 5)]
    [InlineData(0.5, 0.0, 1, 1, 5, 5)]
    [InlineData(0.5, 0.5, 2, 8, 7, 7)]  // depthwise
    public void Backward_matches_finite_differences(double ai, double ao, int stride, int groups, int h, int w)
    {
        var rng = new Random(21);
        var layer = new ConvBNAct(8, 8, 3, ai, ao, stride, 1, 1, groups, rng);
        var x = new OctaveTensor(OctaveGradCheck.Random(rng, 3, layer.Conv.HighIn, h, w),
            layer.Conv.LowIn > 0 ? OctaveGradCheck.Random(rng, 3, layer.Conv.LowIn, (h + 1) / 2, (w + 1) / 2) : null);
        // BN in training mode and ReLU are not linear: small steps, and a tolerance for float rounding.
        OctaveGradCheck.Check(layer, layer, x, rng, eps: 1e-3f, tol: 2e-2, samples: 8);
    }

    [Fact]
    public void Children_are_named_as_in_the_reference()
    {
        new ConvBNAct(8, 8, 3, 0.5, 0.5).StateDict().Keys.Should().Contain(
            ["conv.conv_h2l.weight", "bn_h.weight", "bn_h.bias", "bn_h.running_mean", "bn_h.running_var", "bn_h.num_batches_tracked", "bn_l.running_var"]);
        new ConvBN(8, 8, 1, 0.5, 0).StateDict().Keys.Should().NotContain(k => k.StartsWith("bn_l"));
        new ConvBN(8, 8, 1, 0, 1).StateDict().Keys.Should().NotContain(k => k.StartsWith("bn_h"));
        new ConvBN(8, 8, 1).Activation.Should().BeFalse();
        new ConvBNAct(8, 8, 1).Activation.Should().BeTrue();
    }

    [Fact]
    public void Eval_mode_uses_running_statistics()
    {
        var rng = new Random(4);
        var layer = new ConvBN(8, 8, 3, 0.5, 0.5, 1, 1, random: rng);
        var x = new OctaveTensor(OctaveGradCheck.Random(rng, 2, 4, 6, 6), OctaveGradCheck.Random(rng, 2, 4, 3, 3));
        layer.Eval();
        // Fresh running statistics (mean 0, var 1) and affine (1, 0): BN is x / sqrt(1 + eps).
        var conv = layer.Conv.Forward(x);
        var y = layer.Forward(x);
        for (int i = 0; i < y.High.Length; i++)
            y.High.Data[i].Should().BeApproximately(conv.High.Data[i] / MathF.Sqrt(1 + 1e-5f), 1e-5f);
    }

    [Fact]
    public void Alpha_out_one_has_no_high_channels_and_no_bn_h()
    {
        var rng = new Random(6);
        var layer = new ConvBNAct(8, 8, 3, 0.5, 1, 2, 1, random: rng);
        layer.BnH.Should().BeNull();
        var x = new OctaveTensor(OctaveGradCheck.Random(rng, 2, 4, 7, 9), OctaveGradCheck.Random(rng, 2, 4, 4, 5));
        var y = layer.Forward(x);
        y.High.ShapeString.Should().Be("[2, 0, 4, 5]");
        y.Low!.ShapeString.Should().Be("[2, 8, 2, 3]");
        y.Low.Data.Should().OnlyContain(v => v >= 0);
        var dx = layer.Backward(new OctaveTensor(new Tensor(2, 0, 4, 5), OctaveGradCheck.Random(rng, 2, 8, 2, 3)));
        dx.High.ShapeString.Should().Be("[2, 4, 7, 9]");
        dx.Low!.ShapeString.Should().Be("[2, 4, 4, 5]");
    }

    [Fact]
    public void Alpha_giving_no_low_channels_is_rejected()
    {
        FluentActions.Invoking(() => new ConvBNAct(8, 8, 3, 0.5, 0.1)).Should().Throw<ArgumentException>()
            .Which.ParamName.Should().Be("alphaOut");
    }
}
