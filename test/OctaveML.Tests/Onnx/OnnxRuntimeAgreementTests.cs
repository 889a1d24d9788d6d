using OctaveML.Models;
using OctaveML.Onnx;
using Xunit.Abstractions;
using static OctaveML.Tests.Onnx.OnnxTestModels;

namespace OctaveML.Tests.Onnx;

/// <summary>
/// ONNX Runtime scores an exported model as the engine does in eval mode: softmax probabilities within
/// 1e-4, on the golden models' PyTorch weights and on plain (alpha 0) and odd-sized variants.
/// </summary>
public class OnnxRuntimeAgreementTests(ITestOutputHelper output)
{
    private const float Tolerance = 1e-4f, LogitTolerance = 1e-4f;

    [Theory]
    [InlineData("oct_resnet50")]
    [InlineData("oct_mobilenet")]
    [InlineData("oct_resnet20")]
    public void Golden_models_score_in_ONNX_Runtime_as_in_the_engine(string name)
    {
        var (model, x) = Golden(name);
        var options = Options(model, x.H, x.W);
        var raw = Denormalise(x, options.Mean, options.Std);
        AssertAgreement(model, raw, options, name);
    }

    public static TheoryData<string, int, int> Variants => new()
    {
        { "cifar20 alpha 0.5", 30, 30 }, { "cifar20 alpha 0.5", 33, 33 }, { "cifar20 alpha 0.5", 31, 28 },
        { "cifar20 alpha 0", 33, 33 },
        { "resnet26 small alpha 0.5", 33, 33 }, { "resnet26 small alpha 0", 30, 30 },
        { "resnet26 imagenet alpha 0.5", 75, 67 }, { "resnet26 imagenet alpha 0", 64, 64 },
        { "mobilenet w0.25 alpha 0.5", 97, 90 }, { "mobilenet w0.25 alpha 0", 64, 64 },
    };

    [Theory]
    [MemberData(nameof(Variants))]
    public void Plain_and_odd_sized_variants_score_in_ONNX_Runtime_as_in_the_engine(string variant, int height, int width)
    {
        ImageClassifier model = variant switch
        {
            "cifar20 alpha 0.5" => new OctCifarResNet(20, numClasses: 7, alpha: 0.5, inChannels: 3, seed: 1),
            "cifar20 alpha 0" => new OctCifarResNet(20, numClasses: 7, alpha: 0, inChannels: 3, seed: 2),
            "resnet26 small alpha 0.5" => new OctResNet(26, numClasses: 5, alpha: 0.5, stem: ResNetStem.Small, seed: 3),
            "resnet26 small alpha 0" => new OctResNet(26, numClasses: 5, alpha: 0, stem: ResNetStem.Small, seed: 4),
            "resnet26 imagenet alpha 0.5" => new OctResNet(26, numClasses: 5, alpha: 0.5, stem: ResNetStem.ImageNet, inChannels: 1, seed: 5),
            "resnet26 imagenet alpha 0" => new OctResNet(26, numClasses: 5, alpha: 0, stem: ResNetStem.ImageNet, seed: 6),
            "mobilenet w0.25 alpha 0.5" => new OctMobileNet(numClasses: 6, alpha: 0.5, widthMultiplier: 0.25, seed: 7),
            "mobilenet w0.25 alpha 0" => new OctMobileNet(numClasses: 6, alpha: 0, widthMultiplier: 0.25, seed: 8),
            _ => throw new ArgumentException(variant),
        };
        Randomised(model, seed: 11);
        var raw = Pixels(3, model.InChannels, height, width, seed: 12);
        AssertAgreement(model, raw, Options(model, height, width), $"{variant} at {height}x{width}");
    }

    private void AssertAgreement(ImageClassifier model, OctaveML.Tensors.Tensor raw, OnnxExportOptions options, string what)
    {
        byte[] onnx = WithLogitsOutput(OnnxExport.ToOnnx(model, options));
        var ort = OrtRun(onnx, raw, options.InputName, [options.OutputName, "fc"]);
        var logits = EngineLogits(model, Normalise(raw, options.Mean, options.Std));
        var engine = Softmax(logits, model.NumClasses);
        float diff = MaxAbsDifference(ort[0], engine), logitDiff = MaxAbsDifference(ort[1], logits);
        float logitScale = logits.Max(Math.Abs);
        output.WriteLine($"{what}: max |ORT - engine| = {diff:E2} (probabilities), {logitDiff:E2} (logits up to {logitScale:G3}); " +
            $"engine probabilities {string.Join(" ", engine.Take(model.NumClasses).Select(p => p.ToString("F3")))}");
        diff.Should().BeLessThanOrEqualTo(Tolerance, what);
        // Probabilities near 0 and 1 hide differences: the logits must agree too, relative to their size.
        logitDiff.Should().BeLessThanOrEqualTo(LogitTolerance * Math.Max(1, logitScale), what);
    }
}
