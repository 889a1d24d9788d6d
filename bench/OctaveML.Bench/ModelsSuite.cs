using System.Diagnostics;
using System.Globalization;
using OctaveML.Kernels;
using OctaveML.Models;
using OctaveML.Tensors;
using OctaveML.Training;

namespace OctaveML.Bench;

/// <summary>
/// The "models" suite: whole-model training step (forward, cross-entropy, backward, SGD momentum step)
/// and inference throughput against the PyTorch peer (model_peer.py, same models from octref.py),
/// random data, 10 classes, same batch and thread count. Each side runs in its own process so that
/// peak resident memory belongs to one model only.
/// Usage: OctaveML.Bench models [MODEL SIZE BATCH]   (MODEL: oct_resnet50 | resnet50 | oct_mobilenet |
/// mobilenet | oct_resnet20 | resnet20; the "oct_" prefix means alpha 0.5, none means alpha 0).
/// </summary>
public static class ModelsSuite
{
    private const string Child = "--child";
    private const int Classes = 10;

    public static void Run(string[] args)
    {
        if (args.Length > 0 && args[0] == "--profile") { ModelProfile.Run(args[1], int.Parse(args[2]), int.Parse(args[3])); return; }
        if (args.Length > 0 && args[0] == Child) { RunChild(args[1], int.Parse(args[2]), int.Parse(args[3]), int.Parse(args[4])); return; }
        int threads = Parallelism.Threads;
        var configs = args.Length >= 3
            ? [(args[0], int.Parse(args[1]), int.Parse(args[2]))]
            : new List<(string Model, int Size, int Batch)>
            {
                ("oct_resnet50", 224, 16), ("resnet50", 224, 16), ("oct_mobilenet", 224, 16), ("oct_resnet20", 28, 128),
            };
        Figure.Print("models_threads", threads);
        var ours = new Dictionary<string, (double Train, double Infer)>();
        foreach (var (model, size, batch) in configs)
        {
            string key = $"{model}_{size}";
            var (steps, warmup) = Reps(model, size);
            string o = RunSelf(model, size, batch, threads);
            string p = PythonPeer.Run("model_peer.py", model, size.ToString(), threads.ToString(), batch.ToString(),
                steps.ToString(), warmup.ToString());
            double trainS = PythonPeer.Value(o, "train_step_s"), inferS = PythonPeer.Value(o, "infer_step_s");
            double trainT = PythonPeer.Value(p, "train_step_s"), inferT = PythonPeer.Value(p, "infer_step_s");
            double rss = PythonPeer.Value(o, "peak_rss_mb"), rssT = PythonPeer.Value(p, "peak_rss_mb");
            ours[key] = (trainS, inferS);
            Figure.Print($"train_imgs_per_s_{key}", batch / trainS);
            Figure.Print($"train_imgs_per_s_pytorch_{key}", batch / trainT);
            Figure.Print($"infer_imgs_per_s_{key}", batch / inferS);
            Figure.Print($"infer_imgs_per_s_pytorch_{key}", batch / inferT);
            Figure.Print($"train_ratio_vs_pytorch_{key}", trainT / trainS);
            Figure.Print($"infer_ratio_vs_pytorch_{key}", inferT / inferS);
            Figure.Print($"peak_rss_mb_{key}", rss);
            Figure.Print($"peak_rss_mb_pytorch_{key}", rssT);
            Figure.Print($"train_peak_rss_ratio_vs_pytorch_{key}", rss / rssT);
        }
        foreach (int size in new[] { 224 })
            if (ours.TryGetValue($"oct_resnet50_{size}", out var oct) && ours.TryGetValue($"resnet50_{size}", out var plain))
                Figure.Print($"oct_speedup_resnet50_{size}", plain.Train / oct.Train);
    }

    /// <summary>Timed steps and warm-up steps: a ResNet-50 step at 224 is ~200 GFLOP, so only a few.</summary>
    private static (int Steps, int Warmup) Reps(string model, int size) =>
        model.EndsWith("resnet50") && size >= 160 ? (3, 1) : (5, 2);

    /// <summary>Re-invokes this benchmark with the hidden child sub-command and returns its output.</summary>
    private static string RunSelf(string model, int size, int batch, int threads)
    {
        string exe = Environment.ProcessPath ?? throw new InvalidOperationException("no process path");
        var psi = new ProcessStartInfo(exe) { RedirectStandardOutput = true, RedirectStandardError = true };
        if (Path.GetFileNameWithoutExtension(exe) == "dotnet") psi.ArgumentList.Add(typeof(ModelsSuite).Assembly.Location);
        foreach (var a in new[] { "models", Child, model, size.ToString(), batch.ToString(), threads.ToString() })
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {exe}");
        var stderr = p.StandardError.ReadToEndAsync();
        string stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"models child {model} exited with {p.ExitCode}: {stderr.Result}");
        return stdout;
    }

    /// <summary>Builds a model by peer name: "oct_" prefix = alpha 0.5, none = alpha 0.</summary>
    public static ImageClassifier Create(string name, int size, int inChannels = 3)
    {
        bool oct = name.StartsWith("oct_", StringComparison.Ordinal);
        double alpha = oct ? 0.5 : 0;
        string arch = oct ? name[4..] : name;
        return arch switch
        {
            "mobilenet" => new OctMobileNet(Classes, alpha, inChannels),
            "resnet20" or "resnet56" or "resnet110" => new OctCifarResNet(int.Parse(arch[6..]), Classes, alpha, inChannels),
            _ when arch.StartsWith("resnet", StringComparison.Ordinal) =>
                new OctResNet(int.Parse(arch[6..]), Classes, alpha, size <= 64 ? ResNetStem.Small : ResNetStem.ImageNet, inChannels),
            _ => throw new ArgumentException($"unknown model '{name}'; expected oct_resnet50, resnet50, oct_mobilenet, oct_resnet20 ...", nameof(name)),
        };
    }

    private static void RunChild(string name, int size, int batch, int threads)
    {
        Parallelism.Threads = threads;
        var (steps, warmup) = Reps(name, size);
        var model = Create(name, size);
        var sgd = new Sgd(model, 0.01, momentum: 0.9);
        var rng = new Rng(0);
        var x = new Tensor(batch, 3, size, size);
        rng.FillNormal(x.Data, 0, 1);
        var labels = new int[batch];
        for (int i = 0; i < batch; i++) labels[i] = rng.NextInt(Classes);
        var grad = new Tensor(batch, Classes);
        float loss = 0;
        void Step()
        {
            sgd.ZeroGrad();
            var logits = model.Forward(x);
            loss = CrossEntropyKernel.ForwardBackward(batch, Classes, logits.Data, labels, grad.Data);
            model.Backward(grad);
            sgd.Step();
        }
        model.Train();
        double train = Figure.MedianSeconds(Step, steps, warmup);
        model.Eval();
        double infer = Figure.MedianSeconds(() => model.Forward(x), steps, warmup);
        var inv = CultureInfo.InvariantCulture;
        Console.WriteLine(string.Create(inv, $"train_step_s {train}"));
        Console.WriteLine(string.Create(inv, $"infer_step_s {infer}"));
        Console.WriteLine(string.Create(inv, $"loss {loss}"));
        Console.WriteLine(string.Create(inv, $"peak_rss_mb {Process.GetCurrentProcess().PeakWorkingSet64 / 1e6}"));
        var gc = GC.GetGCMemoryInfo(GCKind.Any);
        Console.WriteLine(string.Create(inv, $"gc_peak_committed_mb {gc.TotalCommittedBytes / 1e6}"));
        Console.WriteLine(string.Create(inv, $"gc_heap_mb {gc.HeapSizeBytes / 1e6}"));
        Console.WriteLine(string.Create(inv, $"parameters_mb {model.ParameterCount() * 4 / 1e6}"));
    }
}
