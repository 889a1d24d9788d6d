using System.Globalization;

namespace OctaveML.Bench;

/// <summary>Debian's PyTorch (python3-torch 1.13) running model_peer.py on the reference models.</summary>
/// <param name="Python">The interpreter with torch.</param>
public sealed class PyTorchPeer(string Python = PythonPeer.DefaultPython) : IModelPeer
{
    /// <summary>The peer script's file name (next to this program).</summary>
    public const string Script = "model_peer.py";

    /// <inheritdoc/>
    public string Name => "pytorch";

    /// <summary>default_malloc: PyTorch leaves glibc's malloc as it is.</summary>
    public MallocSetting DefaultMalloc => MallocSetting.Default;

    /// <inheritdoc/>
    public PeerRun Run(BenchModel model, MallocSetting malloc, int threads, int steps, int warmup)
    {
        var inv = CultureInfo.InvariantCulture;
        string p = PythonPeer.Run(Python, PythonPeer.Script(Script),
            [model.PeerName, model.Size.ToString(inv), threads.ToString(inv), model.BatchSize.ToString(inv), steps.ToString(inv), warmup.ToString(inv), model.Alpha.ToString(inv)],
            malloc);
        return new PeerRun(Name, malloc, Version(p), Figure.Value(p, "train_step_s"), Figure.Value(p, "infer_step_s"), Figure.Value(p, "peak_rss_mb"),
            Figure.TryValue(p, "train_cpu_s"), Figure.TryValue(p, "train_minor_faults"));
    }

    /// <summary>The version model_peer.py printed on its "torch_version" line ("" when none).</summary>
    public static string Version(string peerOutput)
    {
        var line = peerOutput.Split('\n').FirstOrDefault(l => l.StartsWith("torch_version ", StringComparison.Ordinal));
        return line is null ? "" : line["torch_version ".Length..].Trim();
    }
}
