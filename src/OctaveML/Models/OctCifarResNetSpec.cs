namespace OctaveML.Models;

/// <summary>
/// The CIFAR ResNets of He et al. (depth 6n+2: 20, 32, 44, 56, 110; stages of 16, 32 and 64 channels,
/// for 28-32 px inputs) with octave convolutions (reference <c>OctCifarResNet</c>).
/// </summary>
public sealed record OctCifarResNetSpec : ModelSpec
{
    /// <summary>Channels of the three stages.</summary>
    public static IReadOnlyList<int> StagePlanes { get; } = [16, 32, 64];

    /// <inheritdoc/>
    public override string Family => "OctCifarResNet";

    /// <summary>6n + 2 with n &gt;= 1 (default 20).</summary>
    public int Depth { get; init; } = 20;

    /// <summary>Basic blocks per stage: (Depth - 2) / 6.</summary>
    public int BlocksPerStage => (Depth - 2) / 6;

    /// <inheritdoc/>
    public override string DisplayName => FormattableString.Invariant($"OctCifarResNet-{Depth} (alpha {Alpha})");

    /// <inheritdoc/>
    public override string Key => FormattableString.Invariant($"{(Alpha == 0 ? "" : "oct_")}cifar_resnet{Depth}");

    /// <inheritdoc/>
    public override void Validate()
    {
        base.Validate();
        if (Depth < 8 || (Depth - 2) % 6 != 0)
            throw new ArgumentOutOfRangeException(nameof(Depth), Depth, "Depth must be 6n + 2 with n >= 1 (20, 32, 44, 56, 110).");
    }

    /// <inheritdoc/>
    public override ImageClassifier CreateModel(int seed = 0) => new OctCifarResNet(this, seed);

    private protected override void AddProperties(Dictionary<string, string> properties) => properties["depth"] = Text(Depth);
}
