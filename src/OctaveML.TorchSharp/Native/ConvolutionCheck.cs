using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace OctaveML.TorchSharp.Native;

/// <summary>
/// A check of the shape libtorch 2.10 gets wrong with oneDNN's AVX-512 kernels: the input gradient of a
/// 3x3 convolution with 8 input and 8 output channels (OctCifarResNet-20 at alpha 0.5), against the
/// same computation in float64 (which oneDNN does not run).
/// </summary>
internal static class ConvolutionCheck
{
    /// <summary>The largest error of the float32 input gradient relative to the largest float64 one, over a few tries.</summary>
    public static double BackwardDataError(int tries = 3)
    {
        using var scope = NewDisposeScope();
        var generator = new Generator(20261207);
        double worst = 0;
        for (int t = 0; t < tries; t++)
        {
            var x = randn([16, 8, 16, 16], generator: generator);
            var w = randn([8, 8, 3, 3], generator: generator);
            var dy = randn([16, 8, 16, 16], generator: generator);
            var x32 = x.clone().requires_grad_(true);
            F.conv2d(x32, w, padding: [1, 1]).backward([dy]);
            var x64 = x.to(float64).requires_grad_(true);
            F.conv2d(x64, w.to(float64), padding: [1, 1]).backward([dy.to(float64)]);
            var exact = x64.grad!;
            double scale = exact.abs().max().item<double>();
            double error = (x32.grad!.to(float64) - exact).abs().max().item<double>() / scale;
            worst = double.IsNaN(error) ? double.PositiveInfinity : Math.Max(worst, error);
        }
        return worst;
    }
}
