using OctaveML.Ops;
using OctaveML.Tensors;
using OctaveML.Tests.Infrastructure;

namespace OctaveML.Tests.Ops;

public class CrossEntropyKernelTests
{
    private static Dictionary<string, Tensor> G => Golden.Load("ops");

    [Theory]
    [InlineData("ce_ls0", 0f)]
    [InlineData("ce_ls01", 0.1f)]
    public void Loss_gradient_and_probabilities_match_PyTorch(string name, float smoothing)
    {
        var z = G[$"{name}/logits"];
        int n = z.Dim(0), k = z.Dim(1);
        var labels = G[$"{name}/labels"].Data.Select(v => (int)v).ToArray();
        var grad = new float[z.Length]; var probs = new float[z.Length];
        float loss = CrossEntropyKernel.ForwardBackward(n, k, z.Data, labels, grad, smoothing, probs);
        Close.Assert(new[] { loss }, G[$"{name}/loss"].Data, "loss");
        Close.Assert(grad, G[$"{name}/grad_logits"].Data, "grad_logits");
        Close.Assert(probs, G[$"{name}/probabilities"].Data, "probabilities");
        var soft = new float[z.Length];
        SoftmaxKernel.Forward(n, k, z.Data, soft);
        Close.Assert(soft, G[$"{name}/probabilities"].Data, "softmax");
    }

    [Fact]
    public void Gradient_matches_finite_differences()
    {
        int n = 3, k = 6;
        var z = FiniteDifference.RandomNormal(n * k, 1, 2f);
        var labels = new[] { 2, 0, 5 };
        var grad = new float[z.Length];
        CrossEntropyKernel.ForwardBackward(n, k, z, labels, grad, 0.2f);
        var one = new[] { 1f };
        FiniteDifference.Check(v => new[] { CrossEntropyKernel.ForwardBackward(n, k, v, labels, default, 0.2f) }, z, one, grad, "dlogits");
    }

    [Fact]
    public void Huge_logits_stay_finite()
    {
        var z = new[] { 1000f, -1000f, 0f, 3000f, 3000f, -5000f };
        var grad = new float[6];
        float loss = CrossEntropyKernel.ForwardBackward(2, 3, z, new[] { 1, 0 }, grad);
        float.IsFinite(loss).Should().BeTrue();
        loss.Should().BeApproximately((2000f + MathF.Log(2)) / 2, 1e-2f);
        grad.Should().OnlyContain(v => float.IsFinite(v));
    }

    [Fact]
    public void Rejects_a_label_out_of_range()
    {
        var act = () => CrossEntropyKernel.ForwardBackward(2, 3, new float[6], new[] { 0, 3 }, new float[6]);
        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("labels").WithMessage("*labels[1] is 3*[0, 3)*");
        var act2 = () => CrossEntropyKernel.ForwardBackward(2, 3, new float[6], new[] { 0, 1 }, new float[6], 1.5f);
        act2.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("labelSmoothing");
    }
}
