namespace OctaveML.Models;

/// <summary>
/// OctResNet-26/50/101/152/200 (reference <c>OctResNet</c>): ResNet with bottleneck blocks whose
/// convolutions are octave convolutions at <see cref="Alpha"/>; layer1 turns the plain stem output
/// into an octave pair, layer4 is plain. Alpha 0 is the plain ResNet. Parameter names are the
/// reference's (<c>conv1.weight</c>, <c>layer1.0.conv1.conv.conv_h2l.weight</c>, <c>fc.bias</c>, ...).
/// </summary>
public sealed class OctResNet : ResidualNetwork
{
    private readonly OctResNetSpec _spec;

    /// <summary>Builds the network with PyTorch's default initialisation drawn from a generator seeded with <paramref name="seed"/>.</summary>
    /// <param name="depth">26, 50, 101, 152 or 200.</param>
    /// <param name="numClasses">Classes (width of the logits), at least 2.</param>
    /// <param name="alpha">Low-frequency share of the channels, in [0, 1); 0 is the plain ResNet.</param>
    /// <param name="stem">ImageNet (7x7/2 conv + max pool) or Small (3x3/1 conv).</param>
    /// <param name="inChannels">Input channels: 3 for RGB, 1 for grayscale.</param>
    /// <param name="seed">Seed of the initial weights.</param>
    public OctResNet(int depth = 50, int numClasses = 1000, double alpha = 0.5, ResNetStem stem = ResNetStem.ImageNet,
        int inChannels = 3, int seed = 0)
        : this(Arguments(depth, numClasses, alpha, stem, inChannels), seed) { }

    /// <summary>Builds the network <paramref name="spec"/> describes, initial weights drawn from <paramref name="seed"/>.</summary>
    public OctResNet(OctResNetSpec spec, int seed = 0)
        : base(Validated(spec), spec.Stem, 64, (width, random) => ResNetStages.Make<Bottleneck>(width, OctResNetSpec.StagePlanes, spec.Blocks, spec.Alpha, random), seed)
    {
        _spec = spec;
    }

    /// <summary>The supported depths.</summary>
    public static IReadOnlyCollection<int> Depths => OctResNetSpec.Depths;

    /// <summary>26, 50, 101, 152 or 200.</summary>
    public int Depth => _spec.Depth;
    /// <summary>The low-frequency share of the channels.</summary>
    public double Alpha => _spec.Alpha;
    /// <summary>The stem.</summary>
    public ResNetStem Stem => _spec.Stem;
    /// <inheritdoc/>
    public override int InChannels => _spec.InChannels;
    /// <inheritdoc/>
    public override int NumClasses => _spec.NumClasses;
    /// <inheritdoc/>
    public override ModelSpec Spec => _spec;

    private static OctResNetSpec Arguments(int depth, int numClasses, double alpha, ResNetStem stem, int inChannels)
    {
        if (!OctResNetSpec.Depths.Contains(depth))
            throw new ArgumentOutOfRangeException(nameof(depth), depth, $"depth must be one of {string.Join(", ", OctResNetSpec.Depths)}.");
        ModelArguments.Check(numClasses, alpha, inChannels);
        return new OctResNetSpec { Depth = depth, NumClasses = numClasses, Alpha = alpha, Stem = stem, InChannels = inChannels };
    }

    private static OctResNetSpec Validated(OctResNetSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        spec.Validate();
        return spec;
    }
}
