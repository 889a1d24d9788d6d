namespace OctaveML.Models;

/// <summary>
/// The CIFAR ResNets of He et al. (depth 6n+2: 20, 32, 44, 56, 110; stages of 16, 32 and 64
/// channels, for 28-32 px inputs) with octave convolutions (reference <c>OctCifarResNet</c>): the
/// first block turns the plain stem output into an octave pair and the last stage is plain.
/// </summary>
public sealed class OctCifarResNet : ResidualNetwork
{
    private readonly OctCifarResNetSpec _spec;

    /// <summary>Builds the network with PyTorch's default initialisation drawn from a generator seeded with <paramref name="seed"/>.</summary>
    /// <param name="depth">6n + 2 for n &gt;= 1: 20, 32, 44, 56, 110, ...</param>
    /// <param name="numClasses">Classes, at least 2.</param>
    /// <param name="alpha">Low-frequency share of the channels, in [0, 1); 0 is the plain network.</param>
    /// <param name="inChannels">Input channels: 3 for RGB, 1 for grayscale.</param>
    /// <param name="seed">Seed of the initial weights.</param>
    public OctCifarResNet(int depth = 20, int numClasses = 10, double alpha = 0.5, int inChannels = 3, int seed = 0)
        : this(Arguments(depth, numClasses, alpha, inChannels), seed) { }

    /// <summary>Builds the network <paramref name="spec"/> describes, initial weights drawn from <paramref name="seed"/>.</summary>
    public OctCifarResNet(OctCifarResNetSpec spec, int seed = 0)
        : base(Validated(spec), ResNetStem.Small, OctCifarResNetSpec.StagePlanes[0],
            (width, random) => ResNetStages.Make<BasicBlock>(width, OctCifarResNetSpec.StagePlanes,
                Enumerable.Repeat(spec.BlocksPerStage, OctCifarResNetSpec.StagePlanes.Count).ToArray(), spec.Alpha, random), seed)
    {
        _spec = spec;
    }

    /// <summary>6n + 2.</summary>
    public int Depth => _spec.Depth;
    /// <summary>The low-frequency share of the channels.</summary>
    public double Alpha => _spec.Alpha;
    /// <inheritdoc/>
    public override int InChannels => _spec.InChannels;
    /// <inheritdoc/>
    public override int NumClasses => _spec.NumClasses;
    /// <inheritdoc/>
    public override ModelSpec Spec => _spec;

    private static OctCifarResNetSpec Arguments(int depth, int numClasses, double alpha, int inChannels)
    {
        if (depth < 8 || (depth - 2) % 6 != 0)
            throw new ArgumentOutOfRangeException(nameof(depth), depth, "depth must be 6n + 2 with n >= 1 (20, 32, 44, 56, 110).");
        ModelArguments.Check(numClasses, alpha, inChannels);
        return new OctCifarResNetSpec { Depth = depth, NumClasses = numClasses, Alpha = alpha, InChannels = inChannels };
    }

    private static OctCifarResNetSpec Validated(OctCifarResNetSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        spec.Validate();
        return spec;
    }
}
