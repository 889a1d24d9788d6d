using System.Globalization;
using OctaveML.Models;

namespace OctaveML.Bench;

/// <summary>
/// The options of the <c>models</c> suite. Without <see cref="Model"/> it runs <see cref="BenchModel.Defaults"/>;
/// <see cref="Validate"/> throws an <see cref="ArgumentException"/> naming the option for a bad value.
/// </summary>
public sealed record ModelBenchSettings
{
    /// <summary>Compute threads of both sides when --threads is not given: the two cores of the reference machines.</summary>
    public const int DefaultThreads = 2;

    /// <summary>--model: oct-resnet, oct-cifar-resnet or oct-mobilenet; null = the default comparisons.</summary>
    public string? Model { get; init; }
    /// <summary>--depth (default 20 for oct-cifar-resnet, 26 for oct-resnet; oct-mobilenet has none).</summary>
    public int? Depth { get; init; }
    /// <summary>--alpha: low-frequency share of the channels, in [0, 1) (default 0.5).</summary>
    public double? Alpha { get; init; }
    /// <summary>--size: input side (default 28 for oct-cifar-resnet, 224 otherwise).</summary>
    public int? Size { get; init; }
    /// <summary>--batch-size (default 128 for oct-cifar-resnet, 16 otherwise).</summary>
    public int? BatchSize { get; init; }
    /// <summary>--threads of both sides.</summary>
    public int Threads { get; init; } = DefaultThreads;
    /// <summary>--steps: timed steps, median reported (default 3 for ResNet-50 and deeper at 160 px and more, else 5).</summary>
    public int? Steps { get; init; }
    /// <summary>--warmup: untimed steps first (default 1 where <see cref="Steps"/> defaults to 3, else 2).</summary>
    public int? Warmup { get; init; }
    /// <summary>--python: the PyTorch peer's interpreter.</summary>
    public string Python { get; init; } = PythonPeer.DefaultPython;
    /// <summary>--peers: comma-separated peer names (see <see cref="ModelPeers"/>; default all of them).</summary>
    public string Peers { get; init; } = string.Join(",", ModelPeers.Names);
    /// <summary>--libtorch-malloc (models): also libtorch with glibc's malloc untouched against its tuned default, alternating processes.</summary>
    public bool LibtorchMalloc { get; init; }

    /// <summary>Checks every value; throws an <see cref="ArgumentException"/> naming the first bad option.</summary>
    public void Validate()
    {
        if (Model is null)
        {
            foreach (var (option, given) in new[] { ("--depth", Depth is not null), ("--alpha", Alpha is not null), ("--size", Size is not null), ("--batch-size", BatchSize is not null) })
                if (given) throw new ArgumentException($"{option}: needs --model (without --model, the suite runs its default comparisons at their own settings).");
        }
        else if (!BenchModel.Models.Contains(Model))
            throw Bad("--model", Model, string.Join(", ", BenchModel.Models));
        if (Depth is { } d)
        {
            if (Model == "oct-mobilenet") throw new ArgumentException($"--depth: got {d}; oct-mobilenet has one depth, leave --depth out.");
            if (Model == "oct-resnet" && !OctResNet.Depths.Contains(d)) throw Bad("--depth", d, $"{string.Join(", ", OctResNet.Depths)} for oct-resnet");
            // OctCifarResNet's rule: three stages of n basic blocks.
            if (Model == "oct-cifar-resnet" && (d < 8 || (d - 2) % 6 != 0)) throw Bad("--depth", d, "6n + 2 with n >= 1 (20, 32, 44, 56, 110) for oct-cifar-resnet");
        }
        if (Alpha is { } a && !(a >= 0 && a < 1)) throw Bad("--alpha", a, "a value in [0, 1)");
        if (Size is { } s && s is < 8 or > 1024) throw Bad("--size", s, "an image side in [8, 1024]");
        if (BatchSize is { } b && b < 1) throw Bad("--batch-size", b, "at least 1");
        if (Threads < 1) throw Bad("--threads", Threads, "at least 1");
        if (Steps is { } n && n < 1) throw Bad("--steps", n, "at least 1");
        if (Warmup is { } w && w < 0) throw Bad("--warmup", w, "0 or more");
        if (string.IsNullOrWhiteSpace(Python)) throw Bad("--python", Python, "the path of a Python interpreter with torch");
        var peers = PeerList();
        if (LibtorchMalloc && !peers.Any(p => p is LibtorchPeer))
            throw new ArgumentException("--libtorch-malloc: needs libtorch among --peers (it compares libtorch runs).");
    }

    /// <summary>The peers <see cref="Peers"/> names; an <see cref="ArgumentException"/> names a bad one.</summary>
    public IReadOnlyList<IModelPeer> PeerList() => ModelPeers.Parse(SpeedSettings.List(Peers), Python);

    /// <summary>The configurations to measure: the one described, or the default comparisons.</summary>
    public IReadOnlyList<BenchModel> Configs()
    {
        if (Model is null) return BenchModel.Defaults;
        bool cifar = Model == "oct-cifar-resnet";
        return [new BenchModel(Model, Depth, Alpha ?? 0.5, Size ?? (cifar ? 28 : 224), BatchSize ?? (cifar ? 128 : 16))];
    }

    private static ArgumentException Bad(string option, object value, string expected) =>
        new($"{option}: got {Convert.ToString(value, CultureInfo.InvariantCulture)}; expected {expected}.");
}
