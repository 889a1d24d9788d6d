using OctaveML.Ops;
using OctaveML.Tensors;
using OctaveML.Tests.Infrastructure;

namespace OctaveML.Tests.Ops;

public class ElementwiseKernelTests
{
    private static Dictionary<string, Tensor> G => Golden.Load("ops");

    [Fact]
    public void Add_ReLU_and_its_gradient_match_PyTorch()
    {
        var a = G["add_relu/a"]; var b = G["add_relu/b"];
        var y = new float[a.Length];
        ElementwiseKernel.AddRelu(a.Data, b.Data, y);
        Close.Assert(y, G["add_relu/y"].Data, "y");
        var d = new float[a.Length];
        ReluKernel.Backward(y, G["add_relu/dy"].Data, d);
        Close.Assert(d, G["add_relu/grad_a"].Data, "grad_a");
        Close.Assert(d, G["add_relu/grad_b"].Data, "grad_b");
    }

    [Fact]
    public void Add_ReLUs_gradient_matches_finite_differences()
    {
        var a = FiniteDifference.RandomNormal(29, 1); var b = FiniteDifference.RandomNormal(29, 2);
        var up = FiniteDifference.RandomNormal(29, 3);
        float[] Run(float[] p, float[] q) { var y = new float[p.Length]; ElementwiseKernel.AddRelu(p, q, y); return y; }
        var d = new float[29];
        ReluKernel.Backward(Run(a, b), up, d);
        FiniteDifference.Check(v => Run(v, b), a, up, d, "da", 1e-3f);
        FiniteDifference.Check(v => Run(a, v), b, up, d, "db", 1e-3f);
    }

    [Fact]
    public void Add_and_add_in_place_sum_elementwise_on_large_inputs()
    {
        int n = 100_001;
        var a = FiniteDifference.RandomNormal(n, 4); var b = FiniteDifference.RandomNormal(n, 5);
        var y = new float[n];
        ElementwiseKernel.Add(a, b, y);
        var acc = (float[])a.Clone();
        ElementwiseKernel.AddInPlace(acc, b);
        var r = new float[n];
        ElementwiseKernel.AddRelu(a, b, r);
        Enumerable.Range(0, n).FirstOrDefault(i => y[i] != a[i] + b[i], -1).Should().Be(-1, "y = a + b");
        Enumerable.Range(0, n).FirstOrDefault(i => acc[i] != y[i], -1).Should().Be(-1, "a += b equals a + b");
        Enumerable.Range(0, n).FirstOrDefault(i => r[i] != Math.Max(a[i] + b[i], 0f), -1).Should().Be(-1, "AddRelu");
    }

    [Fact]
    public void Rejects_mismatched_lengths()
    {
        var act = () => ElementwiseKernel.Add(new float[4], new float[5], new float[4]);
        act.Should().Throw<ArgumentException>().WithParameterName("b");
        var act2 = () => ElementwiseKernel.AddRelu(new float[4], new float[4], new float[3]);
        act2.Should().Throw<ArgumentException>().WithParameterName("y");
    }
}
