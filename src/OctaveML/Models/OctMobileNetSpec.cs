namespace OctaveML.Models;

/// <summary>
/// MobileNetV1 with octave convolutions (reference <c>OctMobileNet</c>): a 3x3/2 stem and 13
/// depthwise-separable blocks; the first block splits the plain stem output, the last three are plain.
/// </summary>
public sealed record OctMobileNetSpec : ModelSpec
{
    /// <summary>
    /// The 13 blocks at width 1: input and output channels, stride, and whether the block's input and
    /// output are octave pairs (at the spec's alpha) or plain.
    /// </summary>
    public static IReadOnlyList<(int In, int Out, int Stride, bool OctaveIn, bool OctaveOut)> BlockTable { get; } =
    [
        (32, 64, 1, false, true), (64, 128, 2, true, true), (128, 128, 1, true, true), (128, 256, 2, true, true),
        (256, 256, 1, true, true), (256, 512, 2, true, true), (512, 512, 1, true, true), (512, 512, 1, true, true),
        (512, 512, 1, true, true), (512, 512, 1, true, true), (512, 512, 1, true, false), (512, 1024, 2, false, false),
        (1024, 1024, 1, false, false),
    ];

    /// <inheritdoc/>
    public override string Family => "OctMobileNet";

    /// <summary>Scales every layer's channels, in (0, 4] (default 1, the reference).</summary>
    public double WidthMultiplier { get; init; } = 1.0;

    /// <summary>Channels of a layer that has <paramref name="channels"/> at width 1: max(8, floor(c x width)).</summary>
    public int Width(int channels) => Math.Max(8, (int)(channels * WidthMultiplier));

    /// <inheritdoc/>
    public override string DisplayName => FormattableString.Invariant($"OctMobileNet (alpha {Alpha}, width {WidthMultiplier})");

    /// <inheritdoc/>
    public override string Key => FormattableString.Invariant($"{(Alpha == 0 ? "" : "oct_")}mobilenet{(WidthMultiplier == 1 ? "" : $"_w{WidthMultiplier}")}");

    /// <inheritdoc/>
    public override void Validate()
    {
        base.Validate();
        if (!(WidthMultiplier > 0 && WidthMultiplier <= 4))
            throw new ArgumentOutOfRangeException(nameof(WidthMultiplier), WidthMultiplier, "WidthMultiplier must be in (0, 4].");
    }

    /// <inheritdoc/>
    public override ImageClassifier CreateModel(int seed = 0) => new OctMobileNet(this, seed);

    private protected override void AddProperties(Dictionary<string, string> properties) => properties["width_multiplier"] = Text(WidthMultiplier);
}
