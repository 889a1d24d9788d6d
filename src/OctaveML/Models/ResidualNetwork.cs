using OctaveML.Nn;

namespace OctaveML.Models;

/// <summary>
/// The network both ResNet families are, as torchvision's ResNet with octave blocks: a stem (conv1,
/// bn1 with its ReLU, and maxpool for the ImageNet stem), the residual stages layer1, layer2, ...
/// (<see cref="ResNetStages"/>), global average pooling and fc. <see cref="OctResNet"/> and
/// <see cref="OctCifarResNet"/> give it their stem width, block and stage table.
/// </summary>
public abstract class ResidualNetwork : ImageClassifier
{
    private readonly Conv2d _conv1;
    private readonly BatchNorm2d _bn1;
    private readonly MaxPool2d? _maxpool;
    private readonly Sequential[] _stages;
    private readonly Linear _fc;

    /// <summary>
    /// Registers conv1, bn1, maxpool, layer1... and fc in the reference's order, drawing their weights from a
    /// generator seeded with <paramref name="seed"/> in that order (<paramref name="stages"/> builds the stages
    /// from the stem's width: they draw after conv1 and before fc).
    /// </summary>
    private protected ResidualNetwork(ModelSpec spec, ResNetStem stem, int width,
        Func<int, Random, (Sequential[] Stages, int OutChannels)> stages, int seed)
    {
        var random = InitGenerator(seed);
        _conv1 = stem == ResNetStem.ImageNet
            ? RegisterModule("conv1", new Conv2d(spec.InChannels, width, 7, 2, 3, bias: false, random: random))
            : RegisterModule("conv1", new Conv2d(spec.InChannels, width, 3, 1, 1, bias: false, random: random));
        _bn1 = RegisterModule("bn1", new BatchNorm2d(width, fusedRelu: true));
        if (stem == ResNetStem.ImageNet) _maxpool = RegisterModule("maxpool", new MaxPool2d(3, 2, 1));
        var (layers, outChannels) = stages(width, random);
        _stages = layers.Select((s, i) => RegisterModule($"layer{i + 1}", s)).ToArray();
        _fc = RegisterModule("fc", new Linear(outChannels, spec.NumClasses, random: random));
    }

    /// <inheritdoc/>
    public override Value Forward(Graph graph, Value images)
    {
        var x = _bn1.Forward(graph, _conv1.Forward(graph, images));
        if (_maxpool is not null) x = _maxpool.Forward(graph, x);
        OctaveValue t = x;
        foreach (var stage in _stages) t = stage.Forward(graph, t);
        return _fc.Forward(graph, AvgPool.Forward(graph, t.High));
    }
}
