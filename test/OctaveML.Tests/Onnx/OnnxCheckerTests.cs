using OctaveML.Models;
using OctaveML.Onnx;
using Xunit.Abstractions;
using static OctaveML.Tests.Onnx.OnnxTestModels;

namespace OctaveML.Tests.Onnx;

/// <summary>Exported models pass the ONNX checker (Debian's python3-onnx, full check with shape inference).</summary>
public class OnnxCheckerTests(ITestOutputHelper output)
{
    public static TheoryData<string> Models => new()
    {
        "oct_resnet50 golden", "oct_mobilenet golden", "oct_resnet20 golden",
        "resnet50 imagenet alpha 0", "mobilenet alpha 0", "cifar_resnet20 alpha 0 at 33x33", "oct_resnet26 small at 33x31",
    };

    [Theory]
    [MemberData(nameof(Models))]
    public void Exported_models_pass_the_ONNX_checker(string name)
    {
        var (model, height, width) = name switch
        {
            "oct_resnet50 golden" => (Golden("oct_resnet50").Model, 49, 49),
            "oct_mobilenet golden" => (Golden("oct_mobilenet").Model, 112, 112),
            "oct_resnet20 golden" => (Golden("oct_resnet20").Model, 28, 28),
            "resnet50 imagenet alpha 0" => ((ImageClassifier)new OctResNet(50, numClasses: 1000, alpha: 0), 224, 224),
            "mobilenet alpha 0" => (new OctMobileNet(numClasses: 10, alpha: 0), 224, 224),
            "cifar_resnet20 alpha 0 at 33x33" => (new OctCifarResNet(20, numClasses: 10, alpha: 0), 33, 33),
            "oct_resnet26 small at 33x31" => (new OctResNet(26, numClasses: 4, alpha: 0.5, stem: ResNetStem.Small), 33, 31),
            _ => throw new ArgumentException(name),
        };
        string result = PythonOnnx.Check(OnnxExport.ToOnnx(model, Options(model, height, width)));
        output.WriteLine($"{name}: {result}");
        result.Should().Contain("checker OK");
    }
}
