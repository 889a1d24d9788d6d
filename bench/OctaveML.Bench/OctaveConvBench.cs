using OctaveML.Kernels;
using OctaveML.Nn;
using OctaveML.Tensors;

namespace OctaveML.Bench;

/// <summary>
/// Octave convolution against the plain convolution it replaces, both ours, in the same run:
/// forward + backward (input and weight gradients) of a 256->256 convolution on 16x256x56x56, plain
/// (Conv2dKernel) versus OctaveConv at alpha_in = alpha_out = 0.5 (high 16x128x56x56, low 16x128x28x28).
/// At alpha 0.5 the octave convolution needs 0.4375 of the plain one's MACs; the figure is how much of
/// that saving is real wall-clock speed.
/// </summary>
public static class OctaveConvBench
{
    public static void Run()
    {
        foreach (int k in new[] { 3, 1 })
        {
            int n = 16, c = 256, hw = 56, pad = k / 2;
            var rng = new Random(7);
            // Plain convolution.
            var g = new ConvGeometry(n, c, hw, hw, c, k, k, 1, pad);
            float[] x = Rand(rng, n * c * hw * hw), w = Rand(rng, c * c * k * k, 0.02f), dy = Rand(rng, n * c * hw * hw);
            float[] y = new float[x.Length], dx = new float[x.Length], dw = new float[w.Length];
            double plain = Figure.MedianSeconds(() =>
            {
                Conv2dKernel.Forward(g, x, w, [], y);
                Conv2dKernel.BackwardInput(g, dy, w, dx);
                Conv2dKernel.BackwardWeight(g, x, dy, dw, []);
            }, reps: 3, warmup: 1);

            // Octave convolution, same channels and spatial size.
            var conv = new OctaveConv(c, c, k, 0.5, 0.5, 1, pad, random: rng);
            var input = new OctaveTensor(new Tensor(Rand(rng, n * 128 * hw * hw), n, 128, hw, hw),
                new Tensor(Rand(rng, n * 128 * (hw / 2) * (hw / 2)), n, 128, hw / 2, hw / 2));
            var grad = new OctaveTensor(new Tensor(Rand(rng, n * 128 * hw * hw), n, 128, hw, hw),
                new Tensor(Rand(rng, n * 128 * (hw / 2) * (hw / 2)), n, 128, hw / 2, hw / 2));
            double octave = Figure.MedianSeconds(() =>
            {
                conv.Forward(input);
                conv.Backward(grad);
            }, reps: 3, warmup: 1);

            Console.WriteLine($"octconv k{k}: plain {plain * 1e3:0.0} ms, octave {octave * 1e3:0.0} ms (fwd+bwd, 16x256x56x56, {Parallelism.Threads} threads)");
            Figure.Print(k == 3 ? "octconv_speedup_vs_plain" : "octconv1x1_speedup_vs_plain", plain / octave);
        }
    }

    private static float[] Rand(Random rng, int length, float scale = 1f)
    {
        var a = new float[length];
        for (int i = 0; i < a.Length; i++) a[i] = (float)(rng.NextDouble() * 2 - 1) * scale;
        return a;
    }
}
