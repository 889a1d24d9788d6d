using Microsoft.ML;
using Microsoft.ML.Data;
using OctaveML.Interop;
using OctaveML.Models;
using OctaveML.Onnx;
using OctaveML.Samples.Commands;
using static OctaveML.Tests.Onnx.OnnxTestModels;

namespace OctaveML.Tests.Samples;

/// <summary><c>export --model model.zip --onnx ... --safetensors ...</c>: the network of a saved model, bit for bit.</summary>
public sealed class ExportCommandTests : IDisposable
{
    private const int Side = 11;
    private static readonly string[] Classes = ["cat", "dog"];
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    public sealed class Row
    {
        [VectorType(3 * Side * Side)]
        public float[] Features { get; set; } = [];
    }

    /// <summary>A model.zip as ml.Model.Save writes a fitted OctaveML model, and the network in it.</summary>
    private (string Zip, ImageClassifier Model) SavedModel()
    {
        var model = Randomised(new OctMobileNet(numClasses: Classes.Length, alpha: 0.5, widthMultiplier: 0.25, seed: 3), seed: 4);
        var ml = new MLContext(seed: 1) { TempFilePath = _temp.Path };
        byte[] onnx = OnnxExport.ToOnnx(model, Options(model, Side, Side) with { ClassNames = Classes });
        var schema = ml.Data.LoadFromEnumerable(Array.Empty<Row>()).Schema;
        var keys = new VBuffer<ReadOnlyMemory<char>>(Classes.Length, Classes.Select(c => c.AsMemory()).ToArray());
        var chain = OnnxScoringChain.Create(ml, onnx, schema, "Features", "Score", "PredictedLabel", keys);
        string zip = _temp.File("model.zip");
        ml.Model.Save(chain, schema, zip);
        ((IDisposable)chain).Dispose();
        return (zip, model);
    }

    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        int code = Cli.Run(args, o, e);
        return (code, o.ToString(), e.ToString());
    }

    [Fact]
    public void Export_writes_the_ONNX_model_of_the_zip_and_its_exact_weights_as_safetensors()
    {
        var (zip, model) = SavedModel();
        string onnx = _temp.File("out/model.onnx"), weights = _temp.File("out/weights.safetensors");

        var (code, output, err) = Run("export", "--model", zip, "--onnx", onnx, "--safetensors", weights);

        err.Should().BeEmpty();
        code.Should().Be(0);
        output.Should().Contain(model.Spec!.DisplayName).And.Contain("cat, dog").And.Contain(onnx).And.Contain(weights);
        File.ReadAllBytes(onnx).Should().Equal(OctaveModelFile.Read(zip).Onnx);
        using var stream = File.OpenRead(weights);
        var read = SafeTensors.Read(stream, out var metadata);
        read.Keys.Should().BeEquivalentTo(model.StateDict().Keys);
        foreach (var (name, t) in model.StateDict())
            read[name].Data.Select(BitConverter.SingleToInt32Bits).Should().Equal(t.Data.Select(BitConverter.SingleToInt32Bits), name);
        OnnxModelMetadata.FromProperties(metadata).ClassNames.Should().Equal(Classes);
    }

    [Fact]
    public void Export_with_only_safetensors_writes_no_ONNX_file()
    {
        var (zip, _) = SavedModel();
        var (code, _, _) = Run("export", "--model", zip, "--safetensors", _temp.File("w.safetensors"));
        code.Should().Be(0);
        File.Exists(_temp.File("w.safetensors")).Should().BeTrue();
        Directory.GetFiles(_temp.Path, "*.onnx").Should().BeEmpty();
    }

    [Fact]
    public void Export_without_an_output_file_is_a_usage_error_naming_both_options()
    {
        var (zip, _) = SavedModel();
        var (code, _, err) = Run("export", "--model", zip);
        code.Should().Be(Cli.UsageError);
        err.Should().StartWith("error: ").And.Contain("--onnx").And.Contain("--safetensors");
    }

    [Fact]
    public void A_missing_model_file_or_a_zip_without_an_OctaveML_model_is_a_usage_error_naming_the_file()
    {
        string missing = _temp.File("none.zip");
        var (code, _, err) = Run("export", "--model", missing, "--onnx", _temp.File("m.onnx"));
        code.Should().Be(Cli.UsageError);
        err.Should().StartWith("error: --model: ").And.Contain(missing);

        string other = _temp.File("other.zip");
        using (var z = System.IO.Compression.ZipFile.Open(other, System.IO.Compression.ZipArchiveMode.Create)) z.CreateEntry("readme.txt");
        (code, _, err) = Run("export", "--model", other, "--onnx", _temp.File("m.onnx"));
        code.Should().Be(Cli.UsageError);
        err.Should().StartWith("error: --model: ").And.Contain(other).And.Contain("no ONNX model written by OctaveML");
        File.Exists(_temp.File("m.onnx")).Should().BeFalse();
    }
}
