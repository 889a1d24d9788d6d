using OctaveML.Nn;

namespace OctaveML.Models;

/// <summary>
/// MobileNetV1 with octave convolutions, as in the paper (reference <c>OctMobileNet</c>): a 3x3/2
/// stem and 13 depthwise-separable blocks (<see cref="OctMobileNetSpec.BlockTable"/>), each a depthwise
/// 3x3 ConvBNAct and a pointwise 1x1 ConvBNAct; the first block turns the plain stem into an octave pair,
/// the last three are plain. Children: features.0 (stem: 0 conv, 1 bn with its ReLU), features.1..13
/// (0 depthwise, 1 pointwise), fc.
/// </summary>
public sealed class OctMobileNet : ImageClassifier
{
    private readonly OctMobileNetSpec _spec;
    private readonly Sequential _features;
    private readonly Linear _fc;

    /// <summary>Builds the network with PyTorch's default initialisation drawn from a generator seeded with <paramref name="seed"/>.</summary>
    /// <param name="numClasses">Classes, at least 2.</param>
    /// <param name="alpha">Low-frequency share of the channels, in [0, 1); 0 is the plain MobileNetV1.</param>
    /// <param name="inChannels">Input channels: 3 for RGB, 1 for grayscale.</param>
    /// <param name="widthMultiplier">Scales every layer's channels (MobileNet's width multiplier), in (0, 4]; 1 is the reference.</param>
    /// <param name="seed">Seed of the initial weights.</param>
    public OctMobileNet(int numClasses = 1000, double alpha = 0.5, int inChannels = 3, double widthMultiplier = 1.0, int seed = 0)
        : this(Arguments(numClasses, alpha, inChannels, widthMultiplier), seed) { }

    /// <summary>Builds the network <paramref name="spec"/> describes, initial weights drawn from <paramref name="seed"/>.</summary>
    public OctMobileNet(OctMobileNetSpec spec, int seed = 0)
    {
        ArgumentNullException.ThrowIfNull(spec);
        spec.Validate();
        _spec = spec;
        var random = InitGenerator(seed);
        _features = new Sequential(new Sequential(
            new Conv2d(spec.InChannels, spec.Width(32), 3, 2, 1, bias: false, random: random),
            new BatchNorm2d(spec.Width(32), fusedRelu: true)));
        foreach (var (cin, cout, stride, octaveIn, octaveOut) in OctMobileNetSpec.BlockTable)
        {
            int inp = spec.Width(cin), oup = spec.Width(cout);
            double ain = octaveIn ? spec.Alpha : 0, aout = octaveOut ? spec.Alpha : 0;
            // The reference's conv_dw: the depthwise conv keeps the input's alpha, the pointwise conv changes it.
            _features.Add(new Sequential(
                new ConvBNAct(inp, inp, 3, ain, ain, stride, 1, groups: inp, random: random),
                new ConvBNAct(inp, oup, 1, ain, aout, random: random)));
        }
        RegisterModule("features", _features);
        _fc = RegisterModule("fc", new Linear(spec.Width(1024), spec.NumClasses, random: random));
    }

    /// <summary>The low-frequency share of the channels.</summary>
    public double Alpha => _spec.Alpha;
    /// <summary>MobileNet's width multiplier.</summary>
    public double WidthMultiplier => _spec.WidthMultiplier;
    /// <inheritdoc/>
    public override int InChannels => _spec.InChannels;
    /// <inheritdoc/>
    public override int NumClasses => _spec.NumClasses;
    /// <inheritdoc/>
    public override ModelSpec Spec => _spec;

    /// <inheritdoc/>
    public override Value Forward(Graph graph, Value images) =>
        _fc.Forward(graph, AvgPool.Forward(graph, _features.Forward(graph, images).High));

    private static OctMobileNetSpec Arguments(int numClasses, double alpha, int inChannels, double widthMultiplier)
    {
        ModelArguments.Check(numClasses, alpha, inChannels);
        if (!(widthMultiplier > 0 && widthMultiplier <= 4))
            throw new ArgumentOutOfRangeException(nameof(widthMultiplier), widthMultiplier, "widthMultiplier must be in (0, 4].");
        return new OctMobileNetSpec { NumClasses = numClasses, Alpha = alpha, InChannels = inChannels, WidthMultiplier = widthMultiplier };
    }
}
