using OctaveML.Ops;
using OctaveML.Tensors;
using OctaveML.Tests.Infrastructure;
using OctaveML.Threading;

namespace OctaveML.Tests.Ops;

[Collection("Parallelism")]
public class BatchNorm2dKernelTests
{
    private static Dictionary<string, Tensor> G => Golden.Load("ops");

    [Theory]
    [InlineData("bn_8x8", false)]
    [InlineData("bn_7x9", false)]
    [InlineData("bn_relu_8x8", true)]
    [InlineData("bn_relu_7x9", true)]
    public void Training_forward_and_backward_match_PyTorch(string name, bool relu)
    {
        var x = G[$"{name}/x"];
        int n = x.N, c = x.C, hw = x.H * x.W;
        var y = Tensor.ZerosLike(x);
        var mean = new float[c]; var invStd = new float[c];
        var rm = new float[c]; var rv = Enumerable.Repeat(1f, c).ToArray();
        BatchNorm2dKernel.ForwardTraining(n, c, hw, x.Data, G[$"{name}/weight"].Data, G[$"{name}/bias"].Data, y.Data,
            mean, invStd, rm, rv, relu: relu);
        Close.Assert(y, G[$"{name}/y"], $"{name} y");
        Close.Assert(mean, G[$"{name}/save_mean"].Data, $"{name} mean");
        Close.Assert(invStd, G[$"{name}/save_invstd"].Data, $"{name} invstd");
        Close.Assert(rm, G[$"{name}/running_mean"].Data, $"{name} running_mean");
        Close.Assert(rv, G[$"{name}/running_var"].Data, $"{name} running_var");

        var dx = Tensor.ZerosLike(x);
        var dw = new float[c]; var db = new float[c];
        BatchNorm2dKernel.Backward(n, c, hw, x.Data, G[$"{name}/dy"].Data, G[$"{name}/weight"].Data, mean, invStd,
            dx.Data, dw, db, relu ? G[$"{name}/bias"].Data : default);
        Close.Assert(dx, G[$"{name}/grad_x"], $"{name} grad_x");
        Close.Assert(dw, G[$"{name}/grad_weight"].Data, $"{name} grad_weight");
        Close.Assert(db, G[$"{name}/grad_bias"].Data, $"{name} grad_bias");
    }

    [Fact]
    public void Running_statistics_after_three_steps_and_eval_mode_match_PyTorch()
    {
        var w = G["bn_steps/weight"].Data; var b = G["bn_steps/bias"].Data;
        var x0 = G["bn_steps/x0"];
        int n = x0.N, c = x0.C, hw = x0.H * x0.W;
        var rm = new float[c]; var rv = Enumerable.Repeat(1f, c).ToArray();
        var y = new float[x0.Length]; var mean = new float[c]; var inv = new float[c];
        for (int step = 0; step < 3; step++)
            BatchNorm2dKernel.ForwardTraining(n, c, hw, G[$"bn_steps/x{step}"].Data, w, b, y, mean, inv, rm, rv);
        Close.Assert(rm, G["bn_steps/running_mean"].Data, "running_mean");
        Close.Assert(rv, G["bn_steps/running_var"].Data, "running_var");

        var xe = G["bn_steps/x_eval"];
        var ye = new float[xe.Length];
        BatchNorm2dKernel.ForwardInference(n, c, hw, xe.Data, w, b, rm, rv, ye);
        Close.Assert(ye, G["bn_steps/y_eval"].Data, "eval y");
        var dx = new float[xe.Length]; var dw = new float[c]; var db = new float[c];
        BatchNorm2dKernel.BackwardInference(n, c, hw, xe.Data, G["bn_steps/dy_eval"].Data, w, rm, rv, dx, dw, db);
        Close.Assert(dx, G["bn_steps/grad_x_eval"].Data, "eval grad_x");
        Close.Assert(dw, G["bn_steps/grad_weight_eval"].Data, "eval grad_weight");
        Close.Assert(db, G["bn_steps/grad_bias_eval"].Data, "eval grad_bias");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Training_backward_matches_finite_differences(bool relu)
    {
        int n = 2, c = 3, hw = 5 * 3;
        var x = FiniteDifference.RandomNormal(n * c * hw, 1, 1.5f, 0.5f);
        var w = FiniteDifference.RandomNormal(c, 2, 0.3f, 1f);
        var b = FiniteDifference.RandomNormal(c, 3, 0.5f);
        var up = FiniteDifference.RandomNormal(x.Length, 4);
        float[] Run(float[] input, float[] weight, float[] bias)
        {
            var y = new float[input.Length];
            BatchNorm2dKernel.ForwardTraining(n, c, hw, input, weight, bias, y, new float[c], new float[c], default, default, relu: relu);
            return y;
        }
        var yy = Run(x, w, b);
        var mean = new float[c]; var inv = new float[c];
        BatchNorm2dKernel.ForwardTraining(n, c, hw, x, w, b, yy, mean, inv, default, default, relu: relu);
        var dx = new float[x.Length]; var dw = new float[c]; var db = new float[c];
        BatchNorm2dKernel.Backward(n, c, hw, x, up, w, mean, inv, dx, dw, db, relu ? b : default);
        float h = relu ? 1e-3f : 1e-2f;
        FiniteDifference.Check(v => Run(v, w, b), x, up, dx, "dx", h);
        FiniteDifference.Check(v => Run(x, v, b), w, up, dw, "dweight", h);
        FiniteDifference.Check(v => Run(x, w, v), b, up, db, "dbias", h);
    }

    [Fact]
    public void Eval_backward_matches_finite_differences()
    {
        int n = 2, c = 3, hw = 4;
        var x = FiniteDifference.RandomNormal(n * c * hw, 11);
        var w = FiniteDifference.RandomNormal(c, 12, 0.3f, 1f);
        var b = FiniteDifference.RandomNormal(c, 13);
        var rm = FiniteDifference.RandomNormal(c, 14, 0.2f);
        var rv = FiniteDifference.RandomNormal(c, 15, 0.1f, 1.5f);
        var up = FiniteDifference.RandomNormal(x.Length, 16);
        float[] Run(float[] input, float[] weight, float[] bias)
        {
            var y = new float[input.Length];
            BatchNorm2dKernel.ForwardInference(n, c, hw, input, weight, bias, rm, rv, y);
            return y;
        }
        var dx = new float[x.Length]; var dw = new float[c]; var db = new float[c];
        BatchNorm2dKernel.BackwardInference(n, c, hw, x, up, w, rm, rv, dx, dw, db);
        FiniteDifference.Check(v => Run(v, w, b), x, up, dx, "dx");
        FiniteDifference.Check(v => Run(x, v, b), w, up, dw, "dweight");
        FiniteDifference.Check(v => Run(x, w, v), b, up, db, "dbias");
    }

    [Fact]
    public void Statistics_stay_accurate_for_a_large_mean_on_a_big_map()
    {
        // 2 x 1 x 112 x 112 values around 1000 with std 0.01: a one-pass float variance would be noise.
        int n = 2, c = 1, hw = 112 * 112;
        var x = FiniteDifference.RandomNormal(n * hw, 21, 0.01f, 1000f);
        double m = x.Average(v => (double)v);
        double v = x.Sum(t => (t - m) * (t - m)) / x.Length;
        var mean = new float[1]; var inv = new float[1];
        BatchNorm2dKernel.ForwardTraining(n, c, hw, x, new[] { 1f }, new[] { 0f }, new float[x.Length], mean, inv, default, default);
        mean[0].Should().BeApproximately((float)m, 1e-3f);
        inv[0].Should().BeApproximately((float)(1 / Math.Sqrt(v + 1e-5)), (float)(1e-3 / Math.Sqrt(v + 1e-5)));
    }

    [Fact]
    public void In_place_forward_and_backward_equal_out_of_place()
    {
        int n = 3, c = 5, hw = 50;
        var x = FiniteDifference.RandomNormal(n * c * hw, 31);
        var w = FiniteDifference.RandomNormal(c, 32); var b = FiniteDifference.RandomNormal(c, 33);
        var dy = FiniteDifference.RandomNormal(x.Length, 34);
        var y = new float[x.Length];
        BatchNorm2dKernel.ForwardTraining(n, c, hw, x, w, b, y, new float[c], new float[c], default, default);
        var inPlace = (float[])x.Clone();
        BatchNorm2dKernel.ForwardTraining(n, c, hw, inPlace, w, b, inPlace, new float[c], new float[c], default, default);
        inPlace.Should().Equal(y);

        var mean = new float[c]; var inv = new float[c];
        BatchNorm2dKernel.ForwardTraining(n, c, hw, x, w, b, y, mean, inv, default, default);
        var dx = new float[x.Length];
        BatchNorm2dKernel.Backward(n, c, hw, x, dy, w, mean, inv, dx, new float[c], new float[c]);
        var dInPlace = (float[])dy.Clone();
        BatchNorm2dKernel.Backward(n, c, hw, x, dInPlace, w, mean, inv, dInPlace, new float[c], new float[c]);
        dInPlace.Should().Equal(dx);
    }

    [Fact]
    public void Results_do_not_depend_on_the_thread_count()
    {
        int n = 4, c = 16, hw = 32 * 32; // large enough to run in parallel
        var x = FiniteDifference.RandomNormal(n * c * hw, 41);
        var w = FiniteDifference.RandomNormal(c, 42); var b = FiniteDifference.RandomNormal(c, 43);
        var dy = FiniteDifference.RandomNormal(x.Length, 44);
        (float[] y, float[] dx, float[] dw) Run()
        {
            var y = new float[x.Length]; var mean = new float[c]; var inv = new float[c];
            BatchNorm2dKernel.ForwardTraining(n, c, hw, x, w, b, y, mean, inv, default, default, relu: true);
            var dx = new float[x.Length]; var dw = new float[c];
            BatchNorm2dKernel.Backward(n, c, hw, x, dy, w, mean, inv, dx, dw, new float[c], b);
            return (y, dx, dw);
        }
        int saved = Parallelism.Threads;
        try
        {
            Parallelism.Threads = 1;
            var one = Run();
            Parallelism.Threads = 2;
            var two = Run();
            two.y.Should().Equal(one.y);
            two.dx.Should().Equal(one.dx);
            two.dw.Should().Equal(one.dw);
        }
        finally { Parallelism.Threads = saved; }
    }

    [Fact]
    public void Accumulate_adds_to_the_input_gradient()
    {
        int n = 2, c = 2, hw = 9;
        var x = FiniteDifference.RandomNormal(n * c * hw, 51);
        var w = new[] { 1f, 2f }; var b = new[] { 0f, 1f };
        var dy = FiniteDifference.RandomNormal(x.Length, 52);
        var mean = new float[c]; var inv = new float[c];
        BatchNorm2dKernel.ForwardTraining(n, c, hw, x, w, b, new float[x.Length], mean, inv, default, default);
        var dx = new float[x.Length];
        BatchNorm2dKernel.Backward(n, c, hw, x, dy, w, mean, inv, dx, new float[c], new float[c]);
        var acc = Enumerable.Repeat(1f, x.Length).ToArray();
        var dw = new[] { 10f, 20f };
        BatchNorm2dKernel.Backward(n, c, hw, x, dy, w, mean, inv, acc, dw, new float[c], accumulate: true);
        Close.Assert(acc, dx.Select(v => v + 1f).ToArray(), "accumulated dx");
        var dw1 = new float[c];
        BatchNorm2dKernel.Backward(n, c, hw, x, dy, w, mean, inv, dx, dw1, new float[c]);
        Close.Assert(dw, dw1.Select((v, i) => v + 10f * (i + 1)).ToArray(), "accumulated dweight");
    }

    [Fact]
    public void Rejects_bad_arguments_with_their_names()
    {
        var x = new float[2 * 3 * 4];
        var act1 = () => BatchNorm2dKernel.ForwardTraining(2, 3, 4, x, new float[2], new float[3], new float[24], new float[3], new float[3], default, default);
        act1.Should().Throw<ArgumentException>().WithParameterName("weight").WithMessage("*expected 3*");
        var act2 = () => BatchNorm2dKernel.ForwardTraining(1, 3, 1, new float[3], new float[3], new float[3], new float[3], new float[3], new float[3], default, default);
        act2.Should().Throw<ArgumentException>().WithMessage("*more than 1 value per channel*");
        var act3 = () => BatchNorm2dKernel.ForwardTraining(2, 3, 4, x, new float[3], new float[3], new float[23], new float[3], new float[3], default, default);
        act3.Should().Throw<ArgumentException>().WithParameterName("y").WithMessage("*expected 24*");
        var act4 = () => BatchNorm2dKernel.ForwardTraining(2, 3, 4, x, new float[3], new float[3], new float[24], new float[3], new float[3], new float[3], new float[2]);
        act4.Should().Throw<ArgumentException>().WithParameterName("runningVar");
        var act5 = () => BatchNorm2dKernel.Backward(2, 3, 4, x, x, new float[3], new float[3], new float[3], new float[24], new float[3], new float[3], new float[5]);
        act5.Should().Throw<ArgumentException>().WithParameterName("reluBias");
    }
}
