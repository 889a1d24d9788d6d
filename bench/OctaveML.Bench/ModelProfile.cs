using OctaveML.Nn;
using OctaveML.Ops;
using OctaveML.Tensors;
using OctaveML.Threading;
using OctaveML.Training;

namespace OctaveML.Bench;

/// <summary>
/// Where a model's training step goes: after one real step, every convolution and BN is replayed alone
/// at the shape it saw (forward and backward timed apart, medians) and summed by kind; "other" is the
/// whole step minus those (residual adds, pooling, fc, cross-entropy, SGD). Usage: OctaveML.Bench models
/// --profile MODEL SIZE BATCH [--layers] (--layers also prints each convolution's shape and times).
/// </summary>
public static class ModelProfile
{
    public static void Run(string name, int size, int batch, bool layers = false)
    {
        var model = BenchModel.FromPeerName(name, size, batch).Create();
        var sgd = new Sgd(model, 0.01, momentum: 0.9);
        var rng = new Rng(0);
        var x = new Tensor(batch, 3, size, size);
        rng.FillNormal(x.Data, 0, 1);
        var labels = new int[batch];
        var grad = new Tensor(batch, 10);
        void Step()
        {
            sgd.ZeroGrad();
            var logits = model.Forward(x);
            CrossEntropyKernel.ForwardBackward(batch, 10, logits.Data, labels, grad.Data);
            model.Backward(grad);
            sgd.Step();
        }
        Step();
        int g0 = GC.CollectionCount(0), g2 = GC.CollectionCount(2);
        var pause0 = GC.GetTotalPauseDuration();
        long alloc0 = GC.GetTotalAllocatedBytes();
        double total = Figure.MedianSeconds(Step, 3, 0);
        double gcPerStep = (GC.GetTotalPauseDuration() - pause0).TotalSeconds / 3;
        string gcLine = $"  per step: {(GC.GetTotalAllocatedBytes() - alloc0) / 3e6:0} MB allocated, {(GC.CollectionCount(0) - g0) / 3.0:0.#} GCs "
            + $"({(GC.CollectionCount(2) - g2) / 3.0:0.#} gen2), GC pauses {gcPerStep * 1e3:0} ms";
        var plan = model.Executor.LastPlan!;
        long kernels = model.NamedModules().Sum(m => m.Module is OctaveConv c ? c.KernelFloats : 0);
        long parameters = model.ParameterCount();
        string memLine = $"  memory: arena {model.Executor.ArenaFloats * 4e-6:0} MB (its plan's peak of live buffers {plan.PeakLiveFloats * 4e-6:0} MB), "
            + $"octave-kernel buffers {kernels * 4e-6:0} MB, parameters {parameters * 4e-6:0} MB (x3 with grads and momentum); GC heap {GC.GetGCMemoryInfo().HeapSizeBytes / 1e6:0} MB";
        double sgdS = Figure.MedianSeconds(sgd.Step, 3, 1);
        double fwdS = Figure.MedianSeconds(() => model.Forward(x), 3, 1);
        var sums = new SortedDictionary<string, (double F, double B, int Count)>();
        void Add(string kind, double f, double b)
        {
            var s = sums.GetValueOrDefault(kind);
            sums[kind] = (s.F + f, s.B + b, s.Count + 1);
        }
        foreach (var (path, m) in model.NamedModules())
        {
            if (m is ConvBN cb && cb.Conv.LastInputSize is var (h, w))
            {
                var c = cb.Conv;
                var (hs, ls) = c.OutputShapes(batch, h, w);
                var conv = new LayerReplay(c, rng, [[batch, c.HighIn, h, w], c.LowIn > 0 ? [batch, c.LowIn, (h + 1) / 2, (w + 1) / 2] : null], [hs, ls]);
                string kind = c.IsDepthwise ? $"conv dw{c.KernelSize}x{c.KernelSize}" : $"conv {c.KernelSize}x{c.KernelSize}";
                double f = Figure.MedianSeconds(conv.Forward, 3, 1);
                double b = Figure.MedianSeconds(conv.Backward, 3, 1);
                Add(kind, f, b);
                if (layers)
                    Console.WriteLine($"  layer {path,-28} {kind,-9} {c.HighIn,4}+{c.LowIn,-4}-> {hs[1],4}+{ls?[1] ?? 0,-4} {h,3}x{w,-3} fwd {f * 1e3,7:0.00} bwd {b * 1e3,7:0.00} ms");
                foreach (var (bn, shape) in new[] { (cb.BnH, hs), (cb.BnL, ls) })
                {
                    if (bn is null || shape is null) continue;
                    var norm = new LayerReplay(bn, rng, [shape], [shape]);
                    double bf = Figure.MedianSeconds(norm.Forward, 3, 1);
                    double bb = Figure.MedianSeconds(norm.Backward, 3, 1);
                    Add(cb.Activation ? "bn+relu" : "bn", bf, bb);
                }
            }
            else if (m is Conv2d conv && conv.LastGeometry is { } g)
            {
                var stem = new LayerReplay(conv, rng, [[batch, g.InChannels, g.Height, g.Width]], [[batch, g.OutChannels, g.OutHeight, g.OutWidth]], inputGradients: false);
                double f = Figure.MedianSeconds(stem.Forward, 3, 1);
                double b = Figure.MedianSeconds(stem.Backward, 3, 1);
                Add($"stem conv {g.KernelH}x{g.KernelW}", f, b);
            }
        }
        double parts = sgdS;
        Console.WriteLine($"  whole forward {fwdS * 1e3:0} ms (layers {sums.Values.Sum(v => v.F) * 1e3:0}), backward+CE+SGD {(total - fwdS) * 1e3:0} ms (layers {sums.Values.Sum(v => v.B) * 1e3:0})");
        Console.WriteLine(gcLine);
        Console.WriteLine(memLine);
        Console.WriteLine($"profile {name} size {size} batch {batch} threads {Parallelism.Threads}: step {total * 1e3:0} ms");
        foreach (var (kind, (f, b, n)) in sums)
        {
            Console.WriteLine($"  {kind,-14} x{n,-3} fwd {f * 1e3,8:0.0} ms  bwd {b * 1e3,8:0.0} ms  {(f + b) / total * 100,5:0.0}%");
            parts += f + b;
        }
        Console.WriteLine($"  {"sgd step",-14}      {sgdS * 1e3,8:0.0} ms  {sgdS / total * 100,5:0.0}%");
        Console.WriteLine($"  {"other",-14}      {(total - parts) * 1e3,8:0.0} ms  {(total - parts) / total * 100,5:0.0}%  (residual, pools, fc, CE, GC)");
    }
}
