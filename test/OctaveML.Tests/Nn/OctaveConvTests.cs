using OctaveML.Nn;
using OctaveML.Tensors;
using OctaveML.Threading;

namespace OctaveML.Tests.Nn;

[Collection("Parallelism")]
public class OctaveConvTests
{
    private static OctaveTensor Input(Random rng, OctaveConv conv, int n, int h, int w) =>
        new(OctaveGradCheck.Random(rng, n, conv.HighIn, h, w),
            conv.LowIn > 0 ? OctaveGradCheck.Random(rng, n, conv.LowIn, (h + 1) / 2, (w + 1) / 2) : null);

    [Theory]
    [InlineData(0.5, 0.5, 1, 3, 1, 7, 5)]
    [InlineData(0.5, 0.5, 2, 3, 1, 7, 9)]
    [InlineData(0.25, 0.75, 2, 3, 1, 5, 6)]
    [InlineData(0.0, 0.5, 1, 1, 1, 5, 7)]
    [InlineData(0.5, 0.0, 2, 1, 1, 7, 7)]
    [InlineData(0.5, 0.5, 1, 3, 2, 9, 7)]  // grouped
    [InlineData(0.5, 0.5, 2, 3, 8, 7, 5)]  // depthwise
    [InlineData(1.0, 0.5, 1, 3, 1, 6, 7)]  // no high input: a zero-channel high part
    [InlineData(0.5, 1.0, 2, 3, 1, 7, 7)]  // no high output
    public void Backward_matches_finite_differences(double ai, double ao, int stride, int k, int groups, int h, int w)
    {
        var rng = new Random(11);
        var conv = new OctaveConv(8, 8, k, ai, ao, stride, k / 2, 1, groups, rng);
        // The layer is linear, so central differences are exact up to float rounding.
        OctaveGradCheck.Check(conv, conv, Input(rng, conv, 2, h, w), rng, eps: 0.25f, tol: 2e-3);
    }

    [Fact]
    public void Parameters_are_named_as_in_the_reference()
    {
        new OctaveConv(8, 8, 3, 0.5, 0.5).StateDict().Keys.Should().Equal(
            "conv_l2l.weight", "conv_l2h.weight", "conv_h2l.weight", "conv_h2h.weight");
        new OctaveConv(8, 8, 3, 0, 0.5).StateDict().Keys.Should().Equal("conv_h2l.weight", "conv_h2h.weight");
        new OctaveConv(8, 8, 3, 0.5, 0).StateDict().Keys.Should().Equal("conv_l2h.weight", "conv_h2h.weight");
        new OctaveConv(8, 8, 3, 0.5, 0.5, groups: 8).StateDict().Keys.Should().Equal("conv_l2l.weight", "conv_h2h.weight");
        var dw = new OctaveConv(8, 8, 3, 0.5, 0.5, groups: 8);
        dw.ConvH2H!.Weight.Value.ShapeString.Should().Be("[4, 1, 3, 3]");
        dw.ConvL2L!.Groups.Should().Be(4);
    }

    [Fact]
    public void Channel_split_uses_double_alpha_like_python()
    {
        // Python: int(0.29 * 100) == 28 (the double product is 28.999999999999996); a float product would give 29.
        OctaveConv.Split(100, 0.29).Should().Be((72, 28));
        OctaveConv.Split(10, 0.7).Should().Be((3, 7));
        OctaveConv.Split(64, 0.5).Should().Be((32, 32));
    }

    [Fact]
    public void Alpha_one_gives_a_zero_channel_high_part_and_runs_the_low_path_as_a_plain_convolution()
    {
        var rng = new Random(3);
        var oct = new OctaveConv(6, 4, 3, 1, 1, 1, 1, random: rng);
        var plain = new OctaveConv(6, 4, 3, 0, 0, 1, 1, random: rng);
        plain.ConvH2H!.Weight.Value.CopyFrom(oct.ConvL2L!.Weight.Value);
        var xl = OctaveGradCheck.Random(rng, 2, 6, 4, 5);
        var y = oct.Forward(new OctaveTensor(new Tensor(2, 0, 7, 9), xl));
        y.High.ShapeString.Should().Be("[2, 0, 7, 9]");
        var expected = plain.Forward(xl.Clone());
        Infrastructure.Close.Assert(y.Low!, expected.High, "l2l as a plain convolution");
    }

    [Fact]
    public void Same_thread_count_is_bit_identical_and_thread_counts_agree()
    {
        int saved = Parallelism.Threads;
        try
        {
            var rng = new Random(5);
            var conv = new OctaveConv(8, 8, 3, 0.5, 0.5, 1, 1, random: rng);
            var x = Input(rng, conv, 4, 9, 8);
            var g = new OctaveTensor(OctaveGradCheck.Random(rng, 4, 4, 9, 8), OctaveGradCheck.Random(rng, 4, 4, 5, 4));
            (float[] y, float[] dx, float[] dw) Run(int threads)
            {
                Parallelism.Threads = threads;
                conv.ZeroGrad();
                var y = conv.Forward(x);
                var dx = conv.Backward(g);
                return (y.High.Data.Concat(y.Low!.Data).ToArray(), dx.High.Data.Concat(dx.Low!.Data).ToArray(),
                    conv.Parameters().SelectMany(p => p.Grad.Data).ToArray());
            }
            var a = Run(2); var b = Run(2); var c = Run(1);
            a.y.Should().Equal(b.y); a.dx.Should().Equal(b.dx); a.dw.Should().Equal(b.dw);
            Infrastructure.Close.Assert(c.dw, a.dw, "1 vs 2 threads");
        }
        finally { Parallelism.Threads = saved; }
    }

    [Theory]
    [InlineData(3, 1)]
    [InlineData(3, 2)]
    [InlineData(1, 1)]
    public void A_single_image_gives_the_same_result_as_inside_a_batch(int k, int stride)
    {
        // Batch 1 runs one chunk with a multi-threaded GEMM, batch 2 one image per thread.
        var rng = new Random(9);
        var conv = new OctaveConv(8, 6, k, 0.5, 0.5, stride, k / 2, random: rng);
        var x = Input(rng, conv, 2, 9, 7);
        var both = conv.Forward(x);
        var one = conv.Forward(new OctaveTensor(
            new Tensor(x.High.Data[..(x.High.Length / 2)], 1, 4, 9, 7), new Tensor(x.Low!.Data[..(x.Low.Length / 2)], 1, 4, 5, 4)));
        Infrastructure.Close.Assert(one.High.Data, both.High.Data.AsSpan(0, one.High.Length), "high");
        Infrastructure.Close.Assert(one.Low!.Data, both.Low!.Data.AsSpan(0, one.Low.Length), "low");
    }

    [Theory]
    [InlineData(-0.1, 0.5, "alphaIn")]
    [InlineData(0.5, 1.5, "alphaOut")]
    [InlineData(double.NaN, 0.5, "alphaIn")]
    public void Alpha_outside_zero_one_is_rejected(double ai, double ao, string param)
    {
        var act = () => new OctaveConv(8, 8, 3, ai, ao);
        act.Should().Throw<ArgumentException>().Which.ParamName.Should().Be(param);
    }

    [Fact]
    public void Bad_stride_and_groups_are_rejected()
    {
        FluentActions.Invoking(() => new OctaveConv(8, 8, 3, stride: 3)).Should().Throw<ArgumentException>()
            .Which.ParamName.Should().Be("stride");
        FluentActions.Invoking(() => new OctaveConv(8, 8, 3, 0.5, 0.5, groups: 3)).Should().Throw<ArgumentException>()
            .Where(e => e.ParamName == "groups" && e.Message.Contains("divide"));
        FluentActions.Invoking(() => new OctaveConv(6, 8, 3, 0, 0, groups: 4)).Should().Throw<ArgumentException>()
            .Which.ParamName.Should().Be("groups");
    }

    [Fact]
    public void Wrong_input_shapes_name_the_expected_shape()
    {
        var conv = new OctaveConv(8, 8, 3, 0.5, 0.5, 1, 1);
        FluentActions.Invoking(() => conv.Forward(new OctaveTensor(new Tensor(2, 5, 7, 9), new Tensor(2, 4, 4, 5))))
            .Should().Throw<ArgumentException>().Where(e => e.ParamName == "input" && e.Message.Contains("[N, 4, H, W]"));
        FluentActions.Invoking(() => conv.Forward(new OctaveTensor(new Tensor(2, 4, 7, 9), new Tensor(2, 4, 3, 5))))
            .Should().Throw<ArgumentException>().Where(e => e.ParamName == "input" && e.Message.Contains("[2, 4, 4, 5]"));
        FluentActions.Invoking(() => conv.Forward(new Tensor(2, 4, 7, 9)))
            .Should().Throw<ArgumentException>().Where(e => e.ParamName == "input" && e.Message.Contains("[2, 4, 4, 5]"));
        var noPad = new OctaveConv(8, 8, 3, 0.5, 0.5, 1, 0);
        FluentActions.Invoking(() => noPad.Forward(new OctaveTensor(new Tensor(1, 4, 8, 8), new Tensor(1, 4, 4, 4))))
            .Should().Throw<ArgumentException>().Where(e => e.ParamName == "input" && e.Message.Contains("upsampled"));
    }

    [Fact]
    public void Backward_checks_its_arguments()
    {
        var conv = new OctaveConv(8, 8, 3, 0.5, 0.5, 1, 1);
        FluentActions.Invoking(() => conv.Backward(new OctaveTensor(new Tensor(2, 4, 7, 9), new Tensor(2, 4, 4, 5))))
            .Should().Throw<InvalidOperationException>();
        conv.Forward(new OctaveTensor(new Tensor(2, 4, 7, 9), new Tensor(2, 4, 4, 5)));
        FluentActions.Invoking(() => conv.Backward(new OctaveTensor(new Tensor(2, 4, 7, 9), new Tensor(2, 4, 4, 4))))
            .Should().Throw<ArgumentException>().Where(e => e.ParamName == "gradOutput" && e.Message.Contains("[2, 4, 4, 5]"));
    }
}
