using System.Globalization;
using OctaveML.Ops;
using OctaveML.Threading;

namespace OctaveML.Bench;

/// <summary>
/// Conv2d kernels against PyTorch (oneDNN) on 2 threads: forward and forward + backward (input and
/// weight gradients) of ResNet-sized convolutions, both measured in this invocation.
/// </summary>
public static class ConvBench
{
    public static void Run()
    {
        // The headline: a 3x3 pad 1 256->256 convolution on 16x256x56x56.
        Measure("conv3x3", new ConvGeometry(16, 256, 56, 56, 256, 3, 3, Stride: 1, Padding: 1), reps: 5);
        // A depthwise 3x3 (MobileNet-style), small enough to be memory-bound.
        Measure("dwconv3x3", new ConvGeometry(16, 256, 56, 56, 256, 3, 3, Stride: 1, Padding: 1, Groups: 256), reps: 7);
    }

    private static void Measure(string name, ConvGeometry g, int reps)
    {
        const int threads = 2;
        int keep = Parallelism.Threads;
        Parallelism.Threads = threads;
        try
        {
            var rng = new Random(1);
            float[] rand(long n, float scale)
            {
                var a = GC.AllocateUninitializedArray<float>((int)n);
                for (int i = 0; i < a.Length; i++) a[i] = ((float)rng.NextDouble() * 2 - 1) * scale;
                return a;
            }
            var x = rand(g.InputLength, 1); var w = rand(g.WeightLength, 0.05f); var dy = rand(g.OutputLength, 1);
            var y = new float[g.OutputLength]; var dx = new float[g.InputLength]; var dw = new float[g.WeightLength];

            // Each pass once untimed (page faults, per-thread buffers), then the diagnostic split on
            // 3 repetitions and the headline forward + backward on `reps`.
            double fwd = Figure.MedianSeconds(() => Conv2dKernel.Forward(g, x, w, default, y), 3, warmup: 1);
            double bin = Figure.MedianSeconds(() => Conv2dKernel.BackwardInput(g, dy, w, dx), 3, warmup: 1);
            double bw = Figure.MedianSeconds(() => Conv2dKernel.BackwardWeight(g, x, dy, dw, default), 3, warmup: 1);
            double step = Figure.MedianSeconds(() =>
            {
                Conv2dKernel.Forward(g, x, w, default, y);
                Conv2dKernel.BackwardInput(g, dy, w, dx);
                Conv2dKernel.BackwardWeight(g, x, dy, dw, default);
            }, reps, warmup: 0);

            string peer = PythonPeer.RunScript("conv_peer.py", Args(g.Batch, g.InChannels, g.Height, g.Width, g.OutChannels,
                g.KernelH, g.Stride, g.Padding, g.Groups, threads, reps));
            double pf = Figure.Value(peer, "forward_s"), ps = Figure.Value(peer, "step_s");

            double flop = 2.0 * g.Batch * g.OutChannels * g.OutHeight * g.OutWidth * g.InChannelsPerGroup * g.KernelH * g.KernelW;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{name} {g}: ours fwd {fwd * 1e3:0.0} ms, bwd-input {bin * 1e3:0.0} ms, bwd-weight {bw * 1e3:0.0} ms, step {step * 1e3:0.0} ms; pytorch fwd {pf * 1e3:0.0} ms, step {ps * 1e3:0.0} ms"));
            Figure.Print($"{name}_fwd_gflops", flop / fwd / 1e9);
            Figure.Print($"{name}_bwd_input_gflops", flop / bin / 1e9);
            Figure.Print($"{name}_bwd_weight_gflops", flop / bw / 1e9);
            Figure.Print($"{name}_step_gflops", 3 * flop / step / 1e9);
            Figure.Print($"{name}_pytorch_step_gflops", 3 * flop / ps / 1e9);
            Figure.Print($"{name}_fwd_ratio_vs_pytorch", pf / fwd);
            Figure.Print($"{name}_ratio_vs_pytorch", ps / step);
        }
        finally { Parallelism.Threads = keep; }
    }

    private static string[] Args(params int[] v) => v.Select(i => i.ToString(CultureInfo.InvariantCulture)).ToArray();
}
