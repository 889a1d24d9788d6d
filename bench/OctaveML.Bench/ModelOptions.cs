using System.CommandLine;

namespace OctaveML.Bench;

/// <summary>The command-line options that choose the models, how they are timed and the peers, shared by the <c>models</c> and <c>speed</c> suites.</summary>
public sealed class ModelOptions
{
    public Option<string?> Model { get; } = new("--model") { Description = "oct-resnet | oct-cifar-resnet | oct-mobilenet (default: the comparisons oct_resnet50 and resnet50 at 224 batch 16, oct_mobilenet 224 batch 16, oct_resnet20 28 batch 128)" };
    public Option<int?> Depth { get; } = new("--depth") { Description = "network depth (oct-cifar-resnet: 20, 32, 44, 56, 110, default 20; oct-resnet: 26, 50, 101, 152, 200, default 26)" };
    public Option<double?> Alpha { get; } = new("--alpha") { Description = "low-frequency share of the channels, in [0, 1) (default 0.5; 0 is the plain network)" };
    public Option<int?> Size { get; } = new("--size") { Description = "input side (default 28 for oct-cifar-resnet, 224 otherwise)" };
    public Option<int?> Batch { get; } = new("--batch-size") { Description = "images per step (default 128 for oct-cifar-resnet, 16 otherwise)" };
    public Option<int> Threads { get; } = new("--threads") { Description = "compute threads of every side", DefaultValueFactory = _ => ModelBenchSettings.DefaultThreads };
    public Option<int?> Steps { get; } = new("--steps") { Description = "timed steps, the median is reported (default 3 for ResNet-50 and deeper at 160 px or more, else 5)" };
    public Option<int?> Warmup { get; } = new("--warmup") { Description = "untimed steps before timing (default 1 with 3 steps, else 2)" };
    public Option<string> Python { get; } = new("--python") { Description = "interpreter of the PyTorch peer (needs torch)", DefaultValueFactory = _ => PythonPeer.DefaultPython };
    public Option<string> Peers { get; } = new("--peers")
    {
        Description = $"comma-separated peers: {string.Join(", ", ModelPeers.Names)} (libtorch: libtorch 2.10 through the TorchSharp backend)",
        DefaultValueFactory = _ => string.Join(",", ModelPeers.Names),
    };

    /// <summary>Every option, to add to a command.</summary>
    public IEnumerable<Option> All => [Model, Depth, Alpha, Size, Batch, Threads, Steps, Warmup, Python, Peers];

    /// <summary>The settings the parsed command line gives (not yet validated).</summary>
    public ModelBenchSettings Read(ParseResult r) => new()
    {
        Model = r.GetValue(Model), Depth = r.GetValue(Depth), Alpha = r.GetValue(Alpha), Size = r.GetValue(Size),
        BatchSize = r.GetValue(Batch), Threads = r.GetValue(Threads), Steps = r.GetValue(Steps), Warmup = r.GetValue(Warmup),
        Python = r.GetValue(Python)!, Peers = r.GetValue(Peers)!,
    };
}
