using OctaveML.Nn;
using OctaveML.Tensors;

namespace OctaveML.Models;

/// <summary>
/// OctResNet-26/50/101/152/200 (reference <c>OctResNet</c>): ResNet with bottleneck blocks whose
/// convolutions are octave convolutions at <see cref="Alpha"/>; layer1 turns the plain stem output
/// into an octave pair, layer4 is plain. Alpha 0 is the plain ResNet. Parameter names are the
/// reference's (<c>conv1.weight</c>, <c>layer1.0.conv1.conv.conv_h2l.weight</c>, <c>fc.bias</c>, ...).
/// </summary>
public sealed class OctResNet : ImageClassifier
{
    private static readonly Dictionary<int, int[]> Layers = new()
    {
        [26] = [2, 2, 2, 2], [50] = [3, 4, 6, 3], [101] = [3, 4, 23, 3], [152] = [3, 8, 36, 3], [200] = [3, 24, 36, 3],
    };

    /// <summary>The supported depths.</summary>
    public static IReadOnlyCollection<int> Depths => Layers.Keys;

    private readonly Conv2d _conv1;
    private readonly BatchNorm2d _bn1;
    private readonly MaxPool2d? _maxpool;
    private readonly Sequential[] _stages;
    private readonly Linear _fc;
    private int _inplanes = 64;

    /// <summary>Builds the network with PyTorch's default initialisation drawn from a generator seeded with <paramref name="seed"/>.</summary>
    /// <param name="depth">26, 50, 101, 152 or 200.</param>
    /// <param name="numClasses">Classes (width of the logits), at least 2.</param>
    /// <param name="alpha">Low-frequency share of the channels, in [0, 1); 0 is the plain ResNet.</param>
    /// <param name="stem">ImageNet (7x7/2 conv + max pool) or Small (3x3/1 conv).</param>
    /// <param name="inChannels">Input channels: 3 for RGB, 1 for grayscale.</param>
    /// <param name="seed">Seed of the initial weights.</param>
    public OctResNet(int depth = 50, int numClasses = 1000, double alpha = 0.5, ResNetStem stem = ResNetStem.ImageNet,
        int inChannels = 3, int seed = 0)
    {
        if (!Layers.TryGetValue(depth, out var blocks))
            throw new ArgumentOutOfRangeException(nameof(depth), depth, $"depth must be one of {string.Join(", ", Layers.Keys)}.");
        ModelArguments.Check(numClasses, alpha, inChannels);
        Depth = depth; Alpha = alpha; Stem = stem; InChannels = inChannels; NumClasses = numClasses;
        var random = new Rng((ulong)seed).AsRandom(); // a fully specified sequence (System.Random's seeded one is not guaranteed across .NET versions)

        _conv1 = stem == ResNetStem.ImageNet
            ? RegisterModule("conv1", new Conv2d(inChannels, 64, 7, 2, 3, bias: false, random: random))
            : RegisterModule("conv1", new Conv2d(inChannels, 64, 3, 1, 1, bias: false, random: random));
        _bn1 = RegisterModule("bn1", new BatchNorm2d(64, fusedRelu: true));
        if (stem == ResNetStem.ImageNet) _maxpool = RegisterModule("maxpool", new MaxPool2d(3, 2, 1));
        _stages =
        [
            RegisterModule("layer1", MakeLayer(64, blocks[0], 1, 0, alpha, false, random)),
            RegisterModule("layer2", MakeLayer(128, blocks[1], 2, alpha, alpha, false, random)),
            RegisterModule("layer3", MakeLayer(256, blocks[2], 2, alpha, alpha, false, random)),
            RegisterModule("layer4", MakeLayer(512, blocks[3], 2, alpha, 0, true, random)),
        ];
        _fc = RegisterModule("fc", new Linear(512 * Bottleneck.Expansion, numClasses, random: random));
    }

    /// <summary>26, 50, 101, 152 or 200.</summary>
    public int Depth { get; }
    /// <summary>The low-frequency share of the channels.</summary>
    public double Alpha { get; }
    /// <summary>The stem.</summary>
    public ResNetStem Stem { get; }
    /// <inheritdoc/>
    public override int InChannels { get; }
    /// <inheritdoc/>
    public override int NumClasses { get; }
    /// <inheritdoc/>
    public override ModelSpec Spec => new OctResNetSpec { Depth = Depth, Alpha = Alpha, Stem = Stem, NumClasses = NumClasses, InChannels = InChannels };

    private Sequential MakeLayer(int planes, int count, int stride, double alphaIn, double alphaOut, bool output, Random random)
    {
        Sequential? downsample = null;
        if (stride != 1 || _inplanes != planes * Bottleneck.Expansion)
            downsample = new Sequential(new ConvBN(_inplanes, planes * Bottleneck.Expansion, 1, alphaIn, alphaOut, stride, random: random));
        var layer = new Sequential(new Bottleneck(_inplanes, planes, stride, downsample, alphaIn, alphaOut, Alpha, output, random));
        _inplanes = planes * Bottleneck.Expansion;
        double a = output ? 0 : Alpha;
        for (int i = 1; i < count; i++)
            layer.Add(new Bottleneck(_inplanes, planes, 1, null, a, a, Alpha, output, random));
        return layer;
    }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor images)
    {
        ModelArguments.CheckImages(images, InChannels, nameof(images));
        PrepareBuffers(images);
        var x = _bn1.Forward(_conv1.Forward(images));
        if (_maxpool is not null) x = _maxpool.Forward(x);
        OctaveTensor t = x;
        foreach (var stage in _stages) t = stage.Forward(t);
        return _fc.Forward(AvgPool.Forward(t.High));
    }

    /// <inheritdoc/>
    public override void Backward(Tensor gradLogits)
    {
        var gf = _fc.Backward(gradLogits);
        OctaveTensor g = AvgPool.Backward(gf);
        Release(gf);
        g = BackwardChain(_stages, g);
        var gx = g.High;
        if (_maxpool is not null)
        {
            var gm = _maxpool.Backward(gx);
            Release(gx);
            gx = gm;
        }
        var gb = _bn1.Backward(gx);
        Release(gx);
        _conv1.Backward(gb, inputGradient: false);
        Release(gb);
    }
}
