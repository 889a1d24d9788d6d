using OctaveML.Nn;
using OctaveML.Tensors;
using OctaveML.Threading;

namespace OctaveML.Bench;

/// <summary>
/// Octave convolution against the plain convolution it replaces, both ours, in the same run:
/// forward + backward (input and weight gradients) of a 256->256 convolution on 16x256x56x56, plain
/// (Nn.Conv2d) versus OctaveConv at alpha_in = alpha_out = 0.5 (high 16x128x56x56, low 16x128x28x28).
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
            // Plain convolution: the Nn layer, so both sides pay the same per-layer costs (output allocation).
            var plainConv = new Conv2d(c, c, k, 1, pad, bias: false, random: rng);
            var x = new Tensor(RandomData.Uniform(rng, n * c * hw * hw), n, c, hw, hw);
            var dy = new Tensor(RandomData.Uniform(rng, n * c * hw * hw), n, c, hw, hw);
            void Plain()
            {
                plainConv.Forward(x);
                plainConv.Backward(dy);
            }

            // Octave convolution, same channels and spatial size.
            var conv = new OctaveConv(c, c, k, 0.5, 0.5, 1, pad, random: rng);
            var input = new OctaveTensor(new Tensor(RandomData.Uniform(rng, n * 128 * hw * hw), n, 128, hw, hw),
                new Tensor(RandomData.Uniform(rng, n * 128 * (hw / 2) * (hw / 2)), n, 128, hw / 2, hw / 2));
            var grad = new OctaveTensor(new Tensor(RandomData.Uniform(rng, n * 128 * hw * hw), n, 128, hw, hw),
                new Tensor(RandomData.Uniform(rng, n * 128 * (hw / 2) * (hw / 2)), n, 128, hw / 2, hw / 2));
            void Octave()
            {
                conv.Forward(input);
                conv.Backward(grad);
            }
            // Interleaved, so both see the same load on a shared machine.
            var (plain, octave) = Interleaved(Plain, Octave, reps: 5);

            Console.WriteLine($"octconv k{k}: plain {plain * 1e3:0.0} ms, octave {octave * 1e3:0.0} ms (fwd+bwd, 16x256x56x56, {Parallelism.Threads} threads)");
            Figure.Print(k == 3 ? "octconv_speedup_vs_plain" : "octconv1x1_speedup_vs_plain", plain / octave);
        }
        Depthwise();
    }

    /// <summary>A MobileNet depthwise 3x3 layer (128 channels, 56x56, batch 16): 0.625 of the plain MACs at alpha 0.5.</summary>
    private static void Depthwise()
    {
        int n = 16, c = 128, hw = 56, lo = hw / 2;
        var rng = new Random(8);
        var plainConv = new Conv2d(c, c, 3, 1, 1, groups: c, bias: false, random: rng);
        var x = new Tensor(RandomData.Uniform(rng, n * c * hw * hw), n, c, hw, hw);
        var dy = new Tensor(RandomData.Uniform(rng, n * c * hw * hw), n, c, hw, hw);
        var conv = new OctaveConv(c, c, 3, 0.5, 0.5, 1, 1, groups: c, random: rng);
        var input = new OctaveTensor(new Tensor(RandomData.Uniform(rng, n * c / 2 * hw * hw), n, c / 2, hw, hw), new Tensor(RandomData.Uniform(rng, n * c / 2 * lo * lo), n, c / 2, lo, lo));
        var grad = new OctaveTensor(new Tensor(RandomData.Uniform(rng, n * c / 2 * hw * hw), n, c / 2, hw, hw), new Tensor(RandomData.Uniform(rng, n * c / 2 * lo * lo), n, c / 2, lo, lo));
        var (plain, octave) = Interleaved(() => { plainConv.Forward(x); plainConv.Backward(dy); },
            () => { conv.Forward(input); conv.Backward(grad); }, reps: 7);
        Console.WriteLine($"octconv depthwise: plain {plain * 1e3:0.0} ms, octave {octave * 1e3:0.0} ms (fwd+bwd, 16x128x56x56)");
        Figure.Print("octconv_dw_speedup_vs_plain", plain / octave);
    }

    /// <summary>Medians of alternating timed runs of a and b, after one warm-up run of each.</summary>
    private static (double A, double B) Interleaved(Action a, Action b, int reps)
    {
        a(); b();
        var ta = new double[reps]; var tb = new double[reps];
        for (int i = 0; i < reps; i++)
        {
            long t0 = System.Diagnostics.Stopwatch.GetTimestamp();
            a();
            ta[i] = System.Diagnostics.Stopwatch.GetElapsedTime(t0).TotalSeconds;
            t0 = System.Diagnostics.Stopwatch.GetTimestamp();
            b();
            tb[i] = System.Diagnostics.Stopwatch.GetElapsedTime(t0).TotalSeconds;
        }
        Array.Sort(ta); Array.Sort(tb);
        return (ta[reps / 2], tb[reps / 2]);
    }
}
