using OctaveML.Models;

namespace OctaveML.Tests.Models;

/// <summary>
/// Parameters and MACs against tools/reference/macs.py (exact integers from its counting hooks:
/// convolution output elements x (in / groups) x kernel area, plus in x out for the classifier).
/// </summary>
public class ModelSummaryTests
{
    public static TheoryData<string, int, long, long> Cases => new()
    {
        { "oct_resnet50 a0.5 c1000", 224, 25_557_032, 2_367_143_936 },
        { "oct_resnet50 a0 c1000", 224, 25_557_032, 4_089_184_256 },
        { "oct_mobilenet a0.5 c1000", 224, 4_231_976, 318_167_680 },
        { "oct_mobilenet a0 c1000", 224, 4_231_976, 568_740_352 },
        { "oct_resnet20 a0.5 c10", 32, 272_762, 26_329_728 },
        { "oct_resnet50 a0.5 c10 small", 28, 23_520_842, 636_689_408 },
        { "oct_resnet26 a0.25 c7 small", 64, 13_952_839, 2_277_259_264 },
    };

    private static ImageClassifier Build(string spec)
    {
        var p = spec.Split(' ');
        double alpha = double.Parse(p[1][1..], System.Globalization.CultureInfo.InvariantCulture);
        int classes = int.Parse(p[2][1..], System.Globalization.CultureInfo.InvariantCulture);
        var stem = p.Length > 3 ? ResNetStem.Small : ResNetStem.ImageNet;
        return p[0] switch
        {
            "oct_resnet50" => new OctResNet(50, classes, alpha, stem),
            "oct_resnet26" => new OctResNet(26, classes, alpha, stem),
            "oct_mobilenet" => new OctMobileNet(classes, alpha),
            "oct_resnet20" => new OctCifarResNet(20, classes, alpha),
            _ => throw new ArgumentException(spec),
        };
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Agrees_with_the_reference_MACs(string spec, int size, long parameters, long macs)
    {
        var summary = ModelSummary.Create(Build(spec), size, size);
        summary.TotalParameters.Should().Be(parameters);
        summary.TotalMacs.Should().Be(macs);
        summary.Layers.Sum(l => l.Parameters).Should().Be(parameters, "every parameter belongs to exactly one row");
    }

    [Fact]
    public void Lists_octave_shapes_per_layer()
    {
        var summary = ModelSummary.Create(new OctCifarResNet(20, 10, 0.5), 32, 32);
        var row = summary.Layers.Single(l => l.Name == "layer2.0.conv1");
        row.Type.Should().Be("ConvBNAct");
        row.HighShape.Should().Equal(1, 16, 16, 16);
        row.LowShape.Should().Equal(1, 16, 8, 8);
        summary.Layers.Single(l => l.Name == "layer3.2.conv2").LowShape.Should().BeNull();
        string text = summary.ToString();
        text.Should().Contain("Total params: 272,762").And.Contain("layer1.0.downsample.0");
    }
}
