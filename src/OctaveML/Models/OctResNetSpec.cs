namespace OctaveML.Models;

/// <summary>
/// OctResNet-26/50/101/152/200: bottleneck ResNets whose convolutions are octave convolutions
/// (reference <c>OctResNet</c>); layer1 splits the plain stem output, layer4 is plain.
/// </summary>
public sealed record OctResNetSpec : ModelSpec
{
    private static readonly Dictionary<int, int[]> BlocksByDepth = new()
    {
        [26] = [2, 2, 2, 2], [50] = [3, 4, 6, 3], [101] = [3, 4, 23, 3], [152] = [3, 8, 36, 3], [200] = [3, 24, 36, 3],
    };

    /// <summary>The supported depths.</summary>
    public static IReadOnlyCollection<int> Depths => BlocksByDepth.Keys;

    /// <summary>Channels of each stage's bottleneck (the block output is 4 times this).</summary>
    public static IReadOnlyList<int> StagePlanes { get; } = [64, 128, 256, 512];

    /// <summary>A bottleneck's output channels over its middle channels.</summary>
    public const int Expansion = 4;

    /// <inheritdoc/>
    public override string Family => "OctResNet";

    /// <summary>26, 50 (default), 101, 152 or 200.</summary>
    public int Depth { get; init; } = 50;

    /// <summary>ImageNet (7x7/2 conv and max pool, for 224 px) or Small (3x3/1 conv, for 28-64 px).</summary>
    public ResNetStem Stem { get; init; } = ResNetStem.ImageNet;

    /// <summary>Bottleneck blocks in each of the four stages, e.g. [3, 4, 6, 3] for depth 50.</summary>
    public IReadOnlyList<int> Blocks => BlocksByDepth.TryGetValue(Depth, out var b) ? b
        : throw new ArgumentOutOfRangeException(nameof(Depth), Depth, $"Depth must be one of {string.Join(", ", Depths)}.");

    /// <inheritdoc/>
    public override string DisplayName => FormattableString.Invariant($"OctResNet-{Depth} (alpha {Alpha}, {Stem} stem)");

    /// <inheritdoc/>
    public override string Key => FormattableString.Invariant($"{(Alpha == 0 ? "" : "oct_")}resnet{Depth}");

    /// <inheritdoc/>
    public override void Validate()
    {
        base.Validate();
        _ = Blocks;
        if (!Enum.IsDefined(Stem)) throw new ArgumentOutOfRangeException(nameof(Stem), Stem, "Stem must be ImageNet or Small.");
    }

    /// <inheritdoc/>
    public override ImageClassifier CreateModel(int seed = 0) => new OctResNet(this, seed);

    private protected override void AddProperties(Dictionary<string, string> properties)
    {
        properties["depth"] = Text(Depth);
        properties["stem"] = Stem.ToString();
    }
}
