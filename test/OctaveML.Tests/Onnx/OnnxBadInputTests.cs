using Microsoft.ML;
using Microsoft.ML.Data;
using OctaveML.Models;
using OctaveML.Nn;
using OctaveML.Onnx;
using OctaveML.Tensors;
using static OctaveML.Tests.Onnx.OnnxTestModels;

namespace OctaveML.Tests.Onnx;

/// <summary>Export and chain inputs that cannot work fail at once with a message that names the problem.</summary>
public class OnnxBadInputTests
{
    private static readonly OctCifarResNet Model = new(8, numClasses: 3, alpha: 0.5, inChannels: 3);
    private static OnnxExportOptions Good => Options(Model, 16, 16);

    /// <summary>A network no spec describes: class scores -mean and +mean of the brightness.</summary>
    private sealed class BrightnessClassifier : ImageClassifier
    {
        private readonly GlobalAvgPool2d _mean = new();
        private readonly Linear _scores;

        public BrightnessClassifier()
        {
            _scores = RegisterModule("scores", new Linear(1, 2));
            _scores.Weight.Value.Data[0] = -1;
            _scores.Weight.Value.Data[1] = 1;
            _scores.Bias!.Value.Clear();
        }

        public override int InChannels => 1;
        public override int NumClasses => 2;

        public override Value Forward(Graph graph, Value images) => _scores.Forward(graph, _mean.Forward(graph, images));
    }

    [Fact]
    public void A_network_without_a_spec_cannot_be_exported()
    {
        var custom = new BrightnessClassifier();
        FluentActions.Invoking(() => OnnxExport.ToOnnx(custom, Options(custom, 8, 8)))
            .Should().Throw<ArgumentException>().WithMessage("BrightnessClassifier has no Spec*").Which.ParamName.Should().Be("model");
    }

    public static TheoryData<string, OnnxExportOptions, string> BadOptions => new()
    {
        { "two channel means", Good with { Mean = [1f, 2f] }, "Mean and Std need one value per input channel (3); they have 2 and 3*" },
        { "four channel stds", Good with { Std = [1f, 2f, 3f, 4f] }, "Mean and Std need one value per input channel (3); they have 3 and 4*" },
        { "a zero std", Good with { Std = [1f, 0f, 1f] }, "Mean must be finite and Std positive and finite*" },
        { "a NaN mean", Good with { Mean = [1f, float.NaN, 1f] }, "Mean must be finite and Std positive and finite*" },
        { "two class names", Good with { ClassNames = ["a", "b"] }, "ClassNames has 2 names; the model has 3 classes*" },
        { "duplicate class names", Good with { ClassNames = ["a", "b", "a"] }, "ClassNames has duplicates: 'a'*" },
        { "an empty class name", Good with { ClassNames = ["a", "", "c"] }, "ClassNames has a null or empty name*" },
        { "a zero height", Good with { Height = 0 }, "the input size is 0x16; both sides must be at least 1*" },
        { "input named as output", Good with { InputName = "Score" }, "InputName 'Score' and OutputName 'Score' must be distinct*" },
    };

    [Theory]
    [MemberData(nameof(BadOptions))]
    public void Export_options_that_do_not_fit_the_model_are_rejected(string what, OnnxExportOptions options, string message)
    {
        FluentActions.Invoking(() => OnnxExport.ToOnnx(Model, options))
            .Should().Throw<ArgumentException>(what).WithMessage(message).Which.ParamName.Should().Be("options");
    }

    public sealed class Row
    {
        [VectorType(3 * 16 * 16)]
        public float[] Features { get; set; } = [];
    }

    public sealed class SmallRow
    {
        [VectorType(3 * 8 * 8)]
        public float[] Features { get; set; } = [];
    }

    private static VBuffer<ReadOnlyMemory<char>> Keys(params string[] names) => new(names.Length, names.Select(n => n.AsMemory()).ToArray());

    [Fact]
    public void A_chain_whose_model_columns_or_classes_do_not_fit_is_rejected()
    {
        var ml = new MLContext(seed: 1);
        byte[] onnx = OnnxExport.ToOnnx(Model, Good);
        var schema = ml.Data.LoadFromEnumerable(Array.Empty<Row>()).Schema;
        var keys = Keys("a", "b", "c");

        FluentActions.Invoking(() => OnnxScoringChain.Create(ml, onnx, schema, "Pixels", "Score", "PredictedLabel", keys))
            .Should().Throw<ArgumentException>().WithMessage("onnxModel maps [Features] to [Score]; the chain needs 'Pixels' to 'Score'*");
        FluentActions.Invoking(() => OnnxScoringChain.Create(ml, onnx, ml.Data.LoadFromEnumerable(Array.Empty<SmallRow>()).Schema, "Features", "Score", "PredictedLabel", keys))
            .Should().Throw<ArgumentException>().WithMessage("column 'Features' is Vector<Single, 192>; the model takes a vector of 768 Single values*");
        FluentActions.Invoking(() => OnnxScoringChain.Create(ml, onnx, schema, "Features", "Score", "PredictedLabel", Keys("a", "b")))
            .Should().Throw<ArgumentException>().WithMessage("labelKeyValues has 2 values; the model scores 3 classes*");
        FluentActions.Invoking(() => OnnxScoringChain.Create(ml, onnx, schema, "Features", "Score", "PredictedLabel", Keys("a", "b", "a")))
            .Should().Throw<ArgumentException>().WithMessage("labelKeyValues has duplicates: 'a'*");
        FluentActions.Invoking(() => OnnxScoringChain.Create(ml, onnx, schema, "Features", "Score", "Score", keys))
            .Should().Throw<ArgumentException>().WithMessage("the score and predicted label columns are both named 'Score'*");
        FluentActions.Invoking(() => OnnxScoringChain.Create(ml, [1, 2, 3], schema, "Features", "Score", "PredictedLabel", keys))
            .Should().Throw<ArgumentException>().WithMessage("onnxModel is not an ONNX model*");
    }
}
