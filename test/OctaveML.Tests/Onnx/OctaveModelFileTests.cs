using Microsoft.ML;
using Microsoft.ML.Data;
using OctaveML.Interop;
using OctaveML.Models;
using OctaveML.Onnx;
using OctaveML.Tensors;
using static OctaveML.Tests.Onnx.OnnxTestModels;

namespace OctaveML.Tests.Onnx;

/// <summary>
/// The exact trained network comes back out of a saved model.zip or a fitted transformer: ONNX bytes,
/// spec, class names, mean/std and the full state dict bit for bit; and as safetensors with reference names.
/// </summary>
public sealed class OctaveModelFileTests : IDisposable
{
    private const int Side = 13;
    private static readonly string[] Classes = ["ant", "bee", "wasp"];
    private readonly DirectoryInfo _temp = Directory.CreateTempSubdirectory("octaveml-modelfile-test-");

    public void Dispose() => _temp.Delete(recursive: true);

    public sealed class Row
    {
        [VectorType(3 * Side * Side)]
        public float[] Features { get; set; } = [];
    }

    /// <summary>A trained-looking model: random BN statistics and distinct batch counters.</summary>
    private static ImageClassifier TrainedModel()
    {
        var model = Randomised(new OctMobileNet(numClasses: Classes.Length, alpha: 0.5, widthMultiplier: 0.25, seed: 41), seed: 42);
        int i = 0;
        foreach (var (name, t) in model.StateDict().Where(e => e.Key.EndsWith(".num_batches_tracked", StringComparison.Ordinal)))
            t.Data[0] = 1000 + i++;
        return model;
    }

    private (ITransformer Chain, MLContext Ml, byte[] Onnx, OnnxExportOptions Options) Fitted(ImageClassifier model)
    {
        var ml = new MLContext(seed: 1) { TempFilePath = _temp.FullName };
        var options = Options(model, Side, Side) with { ClassNames = Classes };
        byte[] onnx = OnnxExport.ToOnnx(model, options);
        var schema = ml.Data.LoadFromEnumerable(Array.Empty<Row>()).Schema;
        var keys = new VBuffer<ReadOnlyMemory<char>>(Classes.Length, Classes.Select(c => c.AsMemory()).ToArray());
        return (OnnxScoringChain.Create(ml, onnx, schema, "Features", "Score", "PredictedLabel", keys), ml, onnx, options);
    }

    private static void ShouldBeTheTrainedModel(ExportedModel read, ImageClassifier model, byte[] onnx, OnnxExportOptions options)
    {
        read.Onnx.Should().Equal(onnx);
        read.Spec.Should().Be(model.Spec);
        read.Metadata.ClassNames.Should().Equal(Classes);
        read.Metadata.Mean.Should().Equal(options.Mean);
        read.Metadata.Std.Should().Equal(options.Std);
        (read.Metadata.Height, read.Metadata.Width).Should().Be((Side, Side));
        ShouldEqualBitForBit(read.Weights, model.StateDict());
    }

    private static void ShouldEqualBitForBit(IReadOnlyDictionary<string, Tensor> actual, IReadOnlyDictionary<string, Tensor> expected)
    {
        actual.Keys.Should().BeEquivalentTo(expected.Keys);
        foreach (var (name, t) in expected)
        {
            actual[name].ShapeString.Should().Be(t.ShapeString, name);
            actual[name].Data.Select(BitConverter.SingleToInt32Bits).Should().Equal(t.Data.Select(BitConverter.SingleToInt32Bits), name);
        }
    }

    [Fact]
    public void A_saved_model_zip_gives_back_the_ONNX_bytes_metadata_and_exact_state_dict()
    {
        var model = TrainedModel();
        var (chain, ml, onnx, options) = Fitted(model);
        string zip = Path.Combine(_temp.FullName, "model.zip");
        ml.Model.Save(chain, null, zip);
        ((IDisposable)chain).Dispose();

        var read = OctaveModelFile.Read(zip);

        ShouldBeTheTrainedModel(read, model, onnx, options);
        var rebuilt = read.ToModel();
        ShouldEqualBitForBit(rebuilt.StateDict(), model.StateDict());
        var x = Normalise(Pixels(2, 3, Side, Side, seed: 43), options.Mean, options.Std);
        EngineLogits(rebuilt, x).Should().Equal(EngineLogits(model, x));
    }

    [Fact]
    public void A_fitted_or_loaded_transformer_gives_back_the_same_model()
    {
        var model = TrainedModel();
        var (chain, ml, onnx, options) = Fitted(model);
        ShouldBeTheTrainedModel(OctaveModelFile.Read(ml, chain), model, onnx, options);

        var bytes = new MemoryStream();
        ml.Model.Save(chain, null, bytes);
        ((IDisposable)chain).Dispose();
        bytes.Position = 0;
        var loaded = ml.Model.Load(bytes, out _);
        ShouldBeTheTrainedModel(OctaveModelFile.Read(ml, loaded), model, onnx, options);
        bytes.Position = 0;
        ShouldBeTheTrainedModel(OctaveModelFile.Read(bytes), model, onnx, options);
        ((IDisposable)loaded).Dispose();
    }

    [Fact]
    public void Safetensors_hold_the_state_dict_by_reference_names_with_the_metadata()
    {
        var model = TrainedModel();
        var options = Options(model, Side, Side) with { ClassNames = Classes };
        var exported = OctaveModelFile.FromOnnx(OnnxExport.ToOnnx(model, options));

        var tensors = SafeTensors.Read(new MemoryStream(OctaveModelFile.ToSafeTensors(exported)), out var metadata);

        ShouldEqualBitForBit(tensors, model.StateDict());
        tensors.Keys.Should().Contain(["features.0.0.weight", "features.1.0.conv.conv_h2h.weight", "features.2.1.bn_l.running_var", "fc.bias"]);
        metadata["architecture"].Should().Be("OctMobileNet");
        metadata["alpha"].Should().Be("0.5");
        metadata["width_multiplier"].Should().Be("0.25");
        metadata["class_names"].Should().Be("""["ant","bee","wasp"]""");
        OnnxModelMetadata.FromProperties(metadata).Should().BeEquivalentTo(exported.Metadata);

        string path = Path.Combine(_temp.FullName, "weights.safetensors");
        OctaveModelFile.SaveSafeTensors(exported, path);
        File.ReadAllBytes(path).Should().Equal(OctaveModelFile.ToSafeTensors(exported));
    }

    [Fact]
    public void A_model_zip_without_an_OctaveML_model_is_a_clear_error()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(new[] { new Row { Features = new float[3 * Side * Side] } });
        string zip = Path.Combine(_temp.FullName, "plain.zip");
        ml.Model.Save(ml.Transforms.NormalizeMinMax("Features").Fit(data), data.Schema, zip);
        FluentActions.Invoking(() => OctaveModelFile.Read(zip)).Should().Throw<ExportedModelFormatException>()
            .WithMessage("*plain.zip: holds no ONNX model written by OctaveML.");

        string text = Path.Combine(_temp.FullName, "not-a-zip.zip");
        File.WriteAllText(text, "hello");
        FluentActions.Invoking(() => OctaveModelFile.Read(text)).Should().Throw<ExportedModelFormatException>()
            .WithMessage("*not-a-zip.zip: not an ML.NET model zip*");
        FluentActions.Invoking(() => OctaveModelFile.FromOnnx([1, 2, 3])).Should().Throw<ExportedModelFormatException>();
    }
}
