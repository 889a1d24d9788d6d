using OctaveML.Nn;
using OctaveML.Tensors;

namespace OctaveML.Models;

/// <summary>
/// MobileNetV1 with octave convolutions, as in the paper (reference <c>OctMobileNet</c>): a 3x3/2
/// stem and 13 depthwise-separable blocks, each a depthwise 3x3 ConvBNAct and a pointwise 1x1
/// ConvBNAct; the first block turns the plain stem into an octave pair, the last three are plain.
/// Children: features.0 (stem: 0 conv, 1 bn, 2 relu), features.1..13 (0 depthwise, 1 pointwise), fc.
/// </summary>
public sealed class OctMobileNet : ImageClassifier
{
    private readonly Sequential _features;
    private readonly IOctaveLayer[] _blocks; // the octave blocks after the stem, for backward
    private readonly Conv2d _stemConv;
    private readonly BatchNorm2d _stemBn;
    private readonly Linear _fc;

    /// <summary>Builds the network with PyTorch's default initialisation drawn from a generator seeded with <paramref name="seed"/>.</summary>
    /// <param name="numClasses">Classes, at least 2.</param>
    /// <param name="alpha">Low-frequency share of the channels, in [0, 1); 0 is the plain MobileNetV1.</param>
    /// <param name="inChannels">Input channels: 3 for RGB, 1 for grayscale.</param>
    /// <param name="widthMultiplier">Scales every layer's channels (MobileNet's width multiplier), in (0, 4]; 1 is the reference.</param>
    /// <param name="seed">Seed of the initial weights.</param>
    public OctMobileNet(int numClasses = 1000, double alpha = 0.5, int inChannels = 3, double widthMultiplier = 1.0, int seed = 0)
    {
        ModelArguments.Check(numClasses, alpha, inChannels);
        if (!(widthMultiplier > 0 && widthMultiplier <= 4))
            throw new ArgumentOutOfRangeException(nameof(widthMultiplier), widthMultiplier, "widthMultiplier must be in (0, 4].");
        Alpha = alpha; InChannels = inChannels; NumClasses = numClasses; WidthMultiplier = widthMultiplier;
        var random = new Rng((ulong)seed).AsRandom(); // a fully specified sequence (System.Random's seeded one is not guaranteed across .NET versions)
        int C(int c) => Math.Max(8, (int)(c * widthMultiplier));
        double a = alpha;
        (int In, int Out, int Stride, double AlphaIn, double AlphaOut)[] cfg =
        [
            (32, 64, 1, 0, a), (64, 128, 2, a, a), (128, 128, 1, a, a), (128, 256, 2, a, a),
            (256, 256, 1, a, a), (256, 512, 2, a, a), (512, 512, 1, a, a), (512, 512, 1, a, a),
            (512, 512, 1, a, a), (512, 512, 1, a, a), (512, 512, 1, a, 0), (512, 1024, 2, 0, 0),
            (1024, 1024, 1, 0, 0),
        ];
        _stemConv = new Conv2d(inChannels, C(32), 3, 2, 1, bias: false, random: random);
        _stemBn = new BatchNorm2d(C(32), fusedRelu: true);
        _features = new Sequential(new Sequential(_stemConv, _stemBn));
        foreach (var (cin, cout, stride, ain, aout) in cfg)
        {
            int inp = C(cin), oup = C(cout);
            // The reference's conv_dw: the depthwise conv keeps the input's alpha, the pointwise conv changes it.
            _features.Add(new Sequential(
                new ConvBNAct(inp, inp, 3, ain, ain, stride, 1, groups: inp, random: random),
                new ConvBNAct(inp, oup, 1, ain, aout, random: random)));
        }
        RegisterModule("features", _features);
        _blocks = _features.Layers.Skip(1).Cast<IOctaveLayer>().ToArray();
        _fc = RegisterModule("fc", new Linear(C(1024), numClasses, random: random));
    }

    /// <summary>The low-frequency share of the channels.</summary>
    public double Alpha { get; }
    /// <summary>MobileNet's width multiplier.</summary>
    public double WidthMultiplier { get; }
    /// <inheritdoc/>
    public override int InChannels { get; }
    /// <inheritdoc/>
    public override int NumClasses { get; }
    /// <inheritdoc/>
    public override ModelSpec Spec => new OctMobileNetSpec { Alpha = Alpha, WidthMultiplier = WidthMultiplier, NumClasses = NumClasses, InChannels = InChannels };

    /// <inheritdoc/>
    public override Tensor Forward(Tensor images)
    {
        ModelArguments.CheckImages(images, InChannels, nameof(images));
        PrepareBuffers(images);
        return _fc.Forward(AvgPool.Forward(_features.Forward(images).High));
    }

    /// <inheritdoc/>
    public override void Backward(Tensor gradLogits)
    {
        var gf = _fc.Backward(gradLogits);
        OctaveTensor g = AvgPool.Backward(gf);
        Release(gf);
        g = BackwardChain(_blocks, g);
        // The stem's input is the images: no input gradient needed.
        var gb = _stemBn.Backward(g.High);
        Release(g);
        _stemConv.Backward(gb, inputGradient: false);
        Release(gb);
    }
}
