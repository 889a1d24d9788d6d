using OctaveML.Nn;
using OctaveML.Tensors;

namespace OctaveML.Models;

/// <summary>
/// The CIFAR ResNets of He et al. (depth 6n+2: 20, 32, 44, 56, 110; stages of 16, 32 and 64
/// channels, for 28-32 px inputs) with octave convolutions (reference <c>OctCifarResNet</c>): the
/// first block turns the plain stem output into an octave pair and the last stage is plain.
/// </summary>
public sealed class OctCifarResNet : ImageClassifier
{
    private readonly Conv2d _conv1;
    private readonly BatchNorm2d _bn1;
    private readonly Sequential[] _stages;
    private readonly Linear _fc;
    private int _inplanes = 16;

    /// <summary>Builds the network with PyTorch's default initialisation drawn from a generator seeded with <paramref name="seed"/>.</summary>
    /// <param name="depth">6n + 2 for n &gt;= 1: 20, 32, 44, 56, 110, ...</param>
    /// <param name="numClasses">Classes, at least 2.</param>
    /// <param name="alpha">Low-frequency share of the channels, in [0, 1); 0 is the plain network.</param>
    /// <param name="inChannels">Input channels: 3 for RGB, 1 for grayscale.</param>
    /// <param name="seed">Seed of the initial weights.</param>
    public OctCifarResNet(int depth = 20, int numClasses = 10, double alpha = 0.5, int inChannels = 3, int seed = 0)
    {
        if (depth < 8 || (depth - 2) % 6 != 0)
            throw new ArgumentOutOfRangeException(nameof(depth), depth, "depth must be 6n + 2 with n >= 1 (20, 32, 44, 56, 110).");
        ModelArguments.Check(numClasses, alpha, inChannels);
        Depth = depth; Alpha = alpha; InChannels = inChannels; NumClasses = numClasses;
        int n = (depth - 2) / 6;
        var random = new Rng((ulong)seed).AsRandom(); // a fully specified sequence (System.Random's seeded one is not guaranteed across .NET versions)
        _conv1 = RegisterModule("conv1", new Conv2d(inChannels, 16, 3, 1, 1, bias: false, random: random));
        _bn1 = RegisterModule("bn1", new BatchNorm2d(16, fusedRelu: true));
        _stages =
        [
            RegisterModule("layer1", MakeLayer(16, n, 1, 0, alpha, false, random)),
            RegisterModule("layer2", MakeLayer(32, n, 2, alpha, alpha, false, random)),
            RegisterModule("layer3", MakeLayer(64, n, 2, alpha, 0, true, random)),
        ];
        _fc = RegisterModule("fc", new Linear(64, numClasses, random: random));
    }

    /// <summary>6n + 2.</summary>
    public int Depth { get; }
    /// <summary>The low-frequency share of the channels.</summary>
    public double Alpha { get; }
    /// <inheritdoc/>
    public override int InChannels { get; }
    /// <inheritdoc/>
    public override int NumClasses { get; }
    /// <inheritdoc/>
    public override ModelSpec Spec => new OctCifarResNetSpec { Depth = Depth, Alpha = Alpha, NumClasses = NumClasses, InChannels = InChannels };

    private Sequential MakeLayer(int planes, int count, int stride, double alphaIn, double alphaOut, bool output, Random random)
    {
        Sequential? downsample = null;
        if (stride != 1 || _inplanes != planes || alphaIn != alphaOut)
            downsample = new Sequential(new ConvBN(_inplanes, planes, 1, alphaIn, alphaOut, stride, random: random));
        var layer = new Sequential(new BasicBlock(_inplanes, planes, stride, downsample, alphaIn, alphaOut, Alpha, output, random));
        _inplanes = planes;
        double a = output ? 0 : Alpha;
        for (int i = 1; i < count; i++)
            layer.Add(new BasicBlock(planes, planes, 1, null, a, a, Alpha, output, random));
        return layer;
    }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor images)
    {
        ModelArguments.CheckImages(images, InChannels, nameof(images));
        PrepareBuffers(images);
        OctaveTensor t = _bn1.Forward(_conv1.Forward(images));
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
        var gb = _bn1.Backward(g.High);
        Release(g);
        _conv1.Backward(gb, inputGradient: false);
        Release(gb);
    }
}
