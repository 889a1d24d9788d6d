using OctaveML.Ops;
using OctaveML.Threading;

namespace OctaveML.Bench;

/// <summary>
/// The "ops" suite: the non-convolution kernels of a training step (BN+ReLU, the stem's max pooling,
/// add+ReLU) on a ResNet stage-1 sized map, against
/// PyTorch on the same thread count. Prints forward and forward+backward ("step") medians and
/// PyTorch/OctaveML time ratios (&gt; 1: OctaveML is faster).
/// Usage: OctaveML.Bench ops [N C H W] (default 16 64 56 56).
/// </summary>
public static class OpsBench
{
    public static void Run(string[] args)
    {
        int[] d = args.Length >= 4 ? args.Take(4).Select(int.Parse).ToArray() : [16, 64, 56, 56];
        int n = d[0], c = d[1], h = d[2], w = d[3];
        int threads = Parallelism.Threads, reps = 9;
        Console.WriteLine($"ops: [{n}, {c}, {h}, {w}], {threads} threads");
        var rng = new Random(1);
        float[] R(long len) => RandomData.Uniform(rng, len);
        int planes = n * c, hw = h * w;
        long len = (long)planes * hw;
        var x = R(len); var b = R(len); var dy = R(len); var y = new float[len]; var dx = new float[len];
        var gamma = Enumerable.Repeat(1f, c).ToArray(); var beta = new float[c];
        var mean = new float[c]; var inv = new float[c]; var rm = new float[c]; var rv = Enumerable.Repeat(1f, c).ToArray();
        var dg = new float[c]; var db = new float[c];
        var big = R(len * 4); var dBig = new float[big.Length];
        int mh = MaxPool2dKernel.OutSize(2 * h, 3, 2, 1), mw = MaxPool2dKernel.OutSize(2 * w, 3, 2, 1);
        var pooled = new float[(long)planes * mh * mw]; var arg = new int[pooled.Length];

        var ours = new Dictionary<string, (Action Forward, Action Backward)>
        {
            ["bn_relu"] = (
                () => BatchNorm2dKernel.ForwardTraining(n, c, hw, x, gamma, beta, y, mean, inv, rm, rv, relu: true),
                () => BatchNorm2dKernel.Backward(n, c, hw, x, dy, gamma, mean, inv, dx, dg, db, beta)),
            ["maxpool"] = (
                () => MaxPool2dKernel.Forward(planes, 2 * h, 2 * w, 3, 2, 1, big, pooled, arg),
                () => MaxPool2dKernel.Backward(planes, 2 * h, 2 * w, 3, 2, 1, pooled, arg, dBig)),
            ["add_relu"] = (
                () => ElementwiseKernel.AddRelu(x, b, y),
                () => ReluKernel.Backward(y, dy, dx)),
        };

        string peer = PythonPeer.RunScript("ops_peer.py", n.ToString(), c.ToString(), h.ToString(), w.ToString(), threads.ToString(), reps.ToString());
        // The cores idled while the peer ran: the first timings after that read up to 2x slow (BN+ReLU's forward
        // alone measured slower than its forward + backward), so every kernel runs for a while first.
        var warm = System.Diagnostics.Stopwatch.StartNew();
        while (warm.Elapsed.TotalSeconds < 0.5)
            foreach (var (fwd, bwd) in ours.Values) { fwd(); bwd(); }
        foreach (var (name, (fwd, bwd)) in ours)
        {
            double f = Figure.MedianSeconds(fwd, reps);
            fwd();
            double s = Figure.MedianSeconds(() => { fwd(); bwd(); }, reps);
            double pf = Figure.Value(peer, $"{name}_forward_s"), ps = Figure.Value(peer, $"{name}_step_s");
            Figure.Print($"ops.{name}.forward_ms", f * 1e3);
            Figure.Print($"ops.{name}.step_ms", s * 1e3);
            Figure.Print($"ops.{name}.torch_forward_ms", pf * 1e3);
            Figure.Print($"ops.{name}.torch_step_ms", ps * 1e3);
            Figure.Print($"ops.{name}.forward_speedup_vs_torch", pf / f);
            Figure.Print($"ops.{name}.step_speedup_vs_torch", ps / s);
        }
    }
}
