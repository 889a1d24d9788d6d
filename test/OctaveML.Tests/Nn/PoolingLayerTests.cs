using OctaveML.Nn;
using OctaveML.Tensors;
using OctaveML.Tests.Infrastructure;

namespace OctaveML.Tests.Nn;

/// <summary>The parameter-free layers: MaxPool2d, GlobalAvgPool2d.</summary>
public class PoolingLayerTests
{
    private static Dictionary<string, Tensor> G => Golden.Load("ops");

    [Theory]
    [InlineData("maxpool_8x8")]
    [InlineData("maxpool_7x9")]
    public void Stem_max_pool_matches_PyTorch(string name)
    {
        var pool = new MaxPool2d(3, 2, 1);
        Close.Assert(pool.Forward(G[$"{name}/x"]), G[$"{name}/y"], "y");
        Close.Assert(pool.Backward(G[$"{name}/dy"]), G[$"{name}/grad_x"], "grad_x");
    }

    [Fact]
    public void Max_pool_validates_its_arguments()
    {
        new MaxPool2d(2).Stride.Should().Be(2);
        var act = () => new MaxPool2d(3, 2, 2);
        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("padding");
        var act2 = () => new MaxPool2d(3, 2, 1).Forward(new Tensor(2, 3, 4));
        act2.Should().Throw<ArgumentException>().WithParameterName("input").WithMessage("*expected [N, C, H, W]*");
    }

    [Fact]
    public void Global_avg_pool_matches_PyTorch()
    {
        var gap = new GlobalAvgPool2d();
        var y = gap.Forward(G["gap/x"]);
        y.ShapeString.Should().Be("[2, 3]");
        Close.Assert(y, G["gap/y"], "y");
        Close.Assert(gap.Backward(G["gap/dy"]), G["gap/grad_x"], "grad_x");
        var act = () => gap.Backward(new Tensor(2, 4));
        act.Should().Throw<ArgumentException>().WithParameterName("gradOutput").WithMessage("*expected [2, 3]*");
    }
}
