using System.Globalization;
using System.Text.RegularExpressions;
using OctaveML.Models;

namespace OctaveML.Bench;

/// <summary>
/// One model benchmark configuration: a <c>--model</c> name (oct-resnet, oct-cifar-resnet, oct-mobilenet,
/// as the samples' train command), depth, alpha, input side and batch, 3 input channels and 10 classes as
/// the PyTorch peer.
/// </summary>
public sealed partial record BenchModel(string Model, int? Depth, double Alpha, int Size, int BatchSize)
{
    /// <summary>Classes of the random labels, as the peer.</summary>
    public const int Classes = 10;
    /// <summary>Input channels, as the peer.</summary>
    public const int InChannels = 3;
    /// <summary>OctResNet inputs up to this side use the small stem (3x3, no pooling), as the peer.</summary>
    public const int SmallStemMaxSide = 64;

    /// <summary>The <c>--model</c> names.</summary>
    public static IReadOnlyList<string> Models { get; } = ["oct-resnet", "oct-cifar-resnet", "oct-mobilenet"];

    /// <summary>
    /// The comparisons the <c>models</c> suite runs with no model given: OctResNet-50 at 224 against its
    /// plain twin (the octave speedup) and against PyTorch, OctMobileNet, and the small OctCifarResNet-20.
    /// </summary>
    public static IReadOnlyList<BenchModel> Defaults { get; } =
    [
        new("oct-resnet", 50, 0.5, 224, 16),
        new("oct-resnet", 50, 0, 224, 16),
        new("oct-mobilenet", null, 0.5, 224, 16),
        new("oct-cifar-resnet", 20, 0.5, 28, 128),
    ];

    /// <summary>The depth actually built (20 for oct-cifar-resnet and 26 for oct-resnet when <see cref="Depth"/> is null; null for oct-mobilenet).</summary>
    public int? EffectiveDepth => Model switch
    {
        "oct-mobilenet" => null,
        "oct-cifar-resnet" => Depth ?? 20,
        _ => Depth ?? 26,
    };

    /// <summary>
    /// The model's name in model_peer.py and octaveml_ref.py: "oct_" when alpha is not 0, then mobilenet, resnetD
    /// (OctResNet or a CIFAR ResNet) or, for a CIFAR depth that is also an OctResNet depth such as 50,
    /// cifar_resnetD, so that the two never share a name.
    /// </summary>
    public string PeerName
    {
        get
        {
            string arch = Model switch
            {
                "oct-mobilenet" => "mobilenet",
                "oct-cifar-resnet" when OctResNet.Depths.Contains(EffectiveDepth!.Value) => $"cifar_resnet{EffectiveDepth}",
                _ => $"resnet{EffectiveDepth}",
            };
            return Alpha == 0 ? arch : "oct_" + arch;
        }
    }

    /// <summary>
    /// The figure key: peer name and size, e.g. oct_resnet50_224 (alpha 0.5), resnet50_224 (alpha 0),
    /// oct_resnet20_28; another alpha is spelled out: oct_resnet50_alpha0.25_224.
    /// </summary>
    public string Key => Alpha is 0 or 0.5
        ? string.Create(CultureInfo.InvariantCulture, $"{PeerName}_{Size}")
        : string.Create(CultureInfo.InvariantCulture, $"{PeerName}_alpha{Alpha}_{Size}");

    /// <summary>Timed steps and warm-up steps: a ResNet-50 step at 224 is ~200 GFLOP, so only a few.</summary>
    public (int Steps, int Warmup) DefaultReps =>
        Model == "oct-resnet" && EffectiveDepth >= 50 && Size >= 160 ? (3, 1) : (5, 2);

    /// <summary>The spec of this configuration (what every backend builds).</summary>
    public ModelSpec Spec => Model switch
    {
        "oct-cifar-resnet" => new OctCifarResNetSpec { Depth = EffectiveDepth!.Value, Alpha = Alpha, NumClasses = Classes, InChannels = InChannels },
        "oct-resnet" => new OctResNetSpec
        {
            Depth = EffectiveDepth!.Value, Alpha = Alpha, Stem = Size <= SmallStemMaxSide ? ResNetStem.Small : ResNetStem.ImageNet,
            NumClasses = Classes, InChannels = InChannels,
        },
        "oct-mobilenet" => new OctMobileNetSpec { Alpha = Alpha, NumClasses = Classes, InChannels = InChannels },
        _ => throw new ArgumentException($"--model: got {Model}; expected {string.Join(", ", Models)}."),
    };

    /// <summary>A freshly initialised model (seed 0) of this configuration.</summary>
    public ImageClassifier Create() => Spec.CreateModel(seed: 0);

    /// <summary>
    /// The configuration a peer name describes ("oct_resnet50", "resnet50", "oct_mobilenet", "oct_resnet20",
    /// "oct_cifar_resnet50"): "oct_" means alpha 0.5, none alpha 0; resnet20/56/110 are the CIFAR ResNets.
    /// </summary>
    public static BenchModel FromPeerName(string name, int size, int batchSize)
    {
        bool oct = name.StartsWith("oct_", StringComparison.Ordinal);
        string arch = oct ? name[4..] : name;
        double alpha = oct ? 0.5 : 0;
        if (arch == "mobilenet") return new("oct-mobilenet", null, alpha, size, batchSize);
        var m = ResNetName().Match(arch);
        if (!m.Success)
            throw new ArgumentException($"unknown model '{name}'; expected oct_resnet50, resnet50, oct_mobilenet, oct_resnet20 ...", nameof(name));
        int depth = int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture);
        bool cifar = m.Groups[1].Success || !OctResNet.Depths.Contains(depth);
        return new(cifar ? "oct-cifar-resnet" : "oct-resnet", depth, alpha, size, batchSize);
    }

    [GeneratedRegex(@"^(cifar_)?resnet(\d+)$")]
    private static partial Regex ResNetName();
}
