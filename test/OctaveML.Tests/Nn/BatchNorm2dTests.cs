using OctaveML.Nn;
using OctaveML.Tensors;
using OctaveML.Tests.Infrastructure;

namespace OctaveML.Tests.Nn;

public class BatchNorm2dTests
{
    private static Dictionary<string, Tensor> G => Golden.Load("ops");

    [Fact]
    public void State_dict_has_PyTorchs_names_and_defaults()
    {
        var bn = new BatchNorm2d(3);
        bn.StateDict().Keys.Should().Equal("weight", "bias", "running_mean", "running_var", "num_batches_tracked");
        bn.Weight.Value.Data.Should().Equal(1f, 1f, 1f);
        bn.Bias.Value.Data.Should().Equal(0f, 0f, 0f);
        bn.RunningMean.Data.Should().Equal(0f, 0f, 0f);
        bn.RunningVar.Data.Should().Equal(1f, 1f, 1f);
        bn.NumBatchesTracked.Rank.Should().Be(0);
        bn.NumBatchesTracked.Data.Should().Equal(0f);
        bn.Parameters().Should().HaveCount(2);
    }

    [Fact]
    public void Three_training_steps_then_eval_match_PyTorch()
    {
        var bn = new BatchNorm2d(4);
        G["bn_steps/weight"].Data.CopyTo(bn.Weight.Value.Data, 0);
        G["bn_steps/bias"].Data.CopyTo(bn.Bias.Value.Data, 0);
        for (int s = 0; s < 3; s++) bn.Forward(G[$"bn_steps/x{s}"]);
        Close.Assert(bn.RunningMean, G["bn_steps/running_mean"], "running_mean");
        Close.Assert(bn.RunningVar, G["bn_steps/running_var"], "running_var");
        bn.NumBatchesTracked.Data[0].Should().Be(G["bn_steps/num_batches_tracked"].Data[0]).And.Be(3);

        bn.Eval();
        bn.ZeroGrad();
        var y = bn.Forward(G["bn_steps/x_eval"]);
        Close.Assert(y, G["bn_steps/y_eval"], "eval y");
        bn.NumBatchesTracked.Data[0].Should().Be(3, "eval forwards are not counted");
        var dx = bn.Backward(G["bn_steps/dy_eval"]);
        Close.Assert(dx, G["bn_steps/grad_x_eval"], "eval grad_x");
        Close.Assert(bn.Weight.Grad, G["bn_steps/grad_weight_eval"], "eval grad_weight");
        Close.Assert(bn.Bias.Grad, G["bn_steps/grad_bias_eval"], "eval grad_bias");
    }

    [Theory]
    [InlineData("bn_7x9", false)]
    [InlineData("bn_relu_8x8", true)]
    public void Training_forward_and_backward_match_PyTorch(string name, bool relu)
    {
        var x = G[$"{name}/x"];
        var bn = new BatchNorm2d(x.C, fusedRelu: relu);
        bn.LoadStateDict(new Dictionary<string, Tensor> { ["weight"] = G[$"{name}/weight"], ["bias"] = G[$"{name}/bias"] }, strict: false);
        Close.Assert(bn.Forward(x), G[$"{name}/y"], "y");
        Close.Assert(bn.RunningMean, G[$"{name}/running_mean"], "running_mean");
        Close.Assert(bn.RunningVar, G[$"{name}/running_var"], "running_var");
        Close.Assert(bn.Backward(G[$"{name}/dy"]), G[$"{name}/grad_x"], "grad_x");
        Close.Assert(bn.Weight.Grad, G[$"{name}/grad_weight"], "grad_weight");
        Close.Assert(bn.Bias.Grad, G[$"{name}/grad_bias"], "grad_bias");
    }

    [Fact]
    public void Training_backward_matches_finite_differences()
    {
        var bn = new BatchNorm2d(2, momentum: 0f); // momentum 0: repeated forwards leave the running stats alone
        var x = new Tensor(FiniteDifference.RandomNormal(3 * 2 * 3 * 2, 1, 2f, 1f), 3, 2, 3, 2);
        bn.Weight.Value.Data[0] = 1.5f; bn.Bias.Value.Data[1] = -0.5f;
        var up = FiniteDifference.RandomNormal(x.Length, 2);
        bn.Forward(x);
        var dx = bn.Backward(new Tensor(up, x.ShapeArray()));
        FiniteDifference.Check(v => bn.Forward(new Tensor(v, x.ShapeArray())).Data, (float[])x.Data.Clone(), up, dx.Data, "dx");
        var w = bn.Weight.Value.Data;
        var dw = (float[])bn.Weight.Grad.Data.Clone();
        FiniteDifference.Check(v => { v.CopyTo(w, 0); return bn.Forward(x).Data; }, (float[])w.Clone(), up, dw, "dweight");
    }

    [Fact]
    public void Rejects_bad_arguments_naming_them()
    {
        var act = () => new BatchNorm2d(0);
        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("numFeatures");
        var bn = new BatchNorm2d(3);
        var act2 = () => bn.Forward(new Tensor(2, 4, 3, 3));
        act2.Should().Throw<ArgumentException>().WithParameterName("input").WithMessage("*expected [N, 3, H, W]*");
        var act3 = () => bn.Forward(new Tensor(1, 3, 1, 1));
        act3.Should().Throw<BatchTooSmallException>().WithParameterName("input").WithMessage("*[1, 3, 1, 1]: one value per channel*");
        bn.Forward(new Tensor(2, 3, 2, 2));
        var act4 = () => bn.Backward(new Tensor(2, 3, 2, 3));
        act4.Should().Throw<ArgumentException>().WithParameterName("gradOutput").WithMessage("*expected [2, 3, 2, 2]*");
    }
}
