using OctaveML.Bench;
using OctaveML.Models;

namespace OctaveML.Bench.Tests;

public class RooflineTests
{
    [Fact]
    public void Each_layer_takes_the_longer_of_its_compute_and_memory_time_grouped_by_kind_and_roof()
    {
        // 100 GFLOP/s and 10 GB/s: the ridge is at 10 FLOP a byte.
        RooflineLayer[] layers =
        [
            new("1x1 conv", 2e9, 1e8),          // 20 ms FMA (10 ms memory)
            new("1x1 conv", 1e9, 1e8),          // 10 ms FMA = 10 ms memory: FMA
            new("depthwise 3x3 conv", 1e8, 2e8), // 1 ms FMA, 20 ms memory
            new("BN+ReLU", 0, 5e7),             // 5 ms memory
            new("1x1 conv", 1e8, 1e8),          // 1 ms FMA, 10 ms memory
        ];
        var parts = Roofline.Bound(layers, peakGflops: 100, memoryGbps: 10);
        parts.Select(p => (p.Kind, p.Roof)).Should().Equal(
            ("1x1 conv", "FMA"), ("depthwise 3x3 conv", "memory"), ("1x1 conv", "memory"), ("BN+ReLU", "memory"));
        parts.Select(p => p.Seconds).Should().Equal(new[] { 0.030, 0.020, 0.010, 0.005 }, (a, b) => Math.Abs(a - b) < 1e-12);
        Roofline.Describe(parts).Should().Be("bound 65 ms: 1x1 conv 30 ms (FMA), depthwise 3x3 conv 20 ms (memory), 1x1 conv 10 ms (memory), BN+ReLU 5 ms (memory)");
    }

    [Fact]
    public void A_roof_that_is_not_positive_is_rejected()
    {
        var act = () => Roofline.Bound([new("fc", 1, 1)], 0, 10);
        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*FMA peak*");
        act = () => Roofline.Bound([new("fc", 1, 1)], 10, double.NaN);
        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*memory bandwidth*");
    }

    [Fact]
    public void The_layers_flop_are_three_times_two_forward_macs_a_batch()
    {
        const int batch = 4, size = 16;
        var model = new BenchModel("oct-cifar-resnet", 8, 0.5, size, batch).Create();
        var summary = ModelSummary.Create(model, size, size);
        var layers = Roofline.Layers(model, summary, batch);
        layers.Sum(l => l.Flops).Should().BeApproximately(6.0 * summary.TotalMacs * batch, 1);
        layers.Should().ContainSingle(l => l.Kind == "parameters").Which.Bytes.Should().Be(8.0 * 4 * summary.TotalParameters);
        layers.Select(l => l.Kind).Should().Contain(["3x3 conv", "BN+ReLU", "fc"]);
    }

    [Fact]
    public void The_first_convolution_moves_no_input_gradient()
    {
        // OctCifarResNet's stem: a 3x3 ConvBN from 3 image channels to 16 (alpha_in 0: all high) at 16x16.
        const int batch = 2, size = 16;
        var model = new BenchModel("oct-cifar-resnet", 8, 0.5, size, batch).Create();
        var summary = ModelSummary.Create(model, size, size);
        var first = summary.Layers[0];
        double inFloats = batch * 3.0 * size * size;
        double outFloats = batch * ((double)first.HighShape[1] * first.HighShape[2] * first.HighShape[3]
            + (first.LowShape is { } l ? (double)l[1] * l[2] * l[3] : 0));
        var conv = Roofline.Layers(model, summary, batch)[0];
        conv.Kind.Should().Be("3x3 conv");
        conv.Bytes.Should().Be((2 * inFloats + 2 * outFloats) * 4);
    }

    [Fact]
    public void OctMobileNet_has_depthwise_layers_that_are_memory_bound_at_a_desktop_ridge()
    {
        const int batch = 2, size = 32;
        var model = new BenchModel("oct-mobilenet", null, 0.5, size, batch).Create();
        var layers = Roofline.Layers(model, ModelSummary.Create(model, size, size), batch);
        var parts = Roofline.Bound(layers, peakGflops: 200, memoryGbps: 20);
        parts.Should().Contain(p => p.Kind == "depthwise 3x3 conv" && p.Roof == "memory");
        parts.Should().Contain(p => p.Kind == "1x1 conv");
    }
}
