using Microsoft.ML;
using Microsoft.ML.Data;
using OctaveML.Models;
using OctaveML.Onnx;
using OctaveML.Tensors;
using static OctaveML.Tests.Onnx.OnnxTestModels;

namespace OctaveML.Tests.Onnx;

/// <summary>
/// The exported model as ML.NET's own transformers: Score with SlotNames, a key PredictedLabel, ML.NET's
/// Evaluate, Save/Load, PredictionEngine and MapKeyToValue, custom column names, no temp file left behind.
/// </summary>
public sealed class OnnxScoringChainTests : IDisposable
{
    private const int Channels = 1, Side = 15, Size = Channels * Side * Side;
    private static readonly string[] Labels = ["bird", "cat", "dog"];

    private readonly DirectoryInfo _temp = Directory.CreateTempSubdirectory("octaveml-chain-test-");

    public void Dispose() => _temp.Delete(recursive: true);

    public sealed class Row
    {
        [VectorType(Size)]
        public float[] Pixels { get; set; } = [];
        public string Label { get; set; } = "";
    }

    public sealed class Prediction
    {
        public float[] Probabilities { get; set; } = [];
        public string Guess { get; set; } = "";
    }

    private static (ImageClassifier Model, Tensor Raw, Row[] Rows) Data()
    {
        var model = Randomised(new OctCifarResNet(8, numClasses: Labels.Length, alpha: 0.5, inChannels: Channels, seed: 21), seed: 22);
        var raw = OnnxTestModels.Pixels(12, Channels, Side, Side, seed: 23);
        var rows = Enumerable.Range(0, raw.N)
            .Select(i => new Row { Pixels = raw.Data.AsSpan(i * Size, Size).ToArray(), Label = Labels[(i * 7 + i / 3) % Labels.Length] })
            .ToArray();
        return (model, raw, rows);
    }

    [Fact]
    public void The_chain_evaluates_saves_loads_and_predicts_with_ML_NET_under_custom_column_names()
    {
        var ml = new MLContext(seed: 1) { TempFilePath = _temp.FullName };
        var (model, raw, rows) = Data();
        var data = ml.Data.LoadFromEnumerable(rows);
        var keyer = ml.Transforms.Conversion.MapValueToKey("Label").Fit(data);
        var keyed = keyer.Transform(data);
        VBuffer<ReadOnlyMemory<char>> keyValues = default;
        keyed.Schema["Label"].GetKeyValues(ref keyValues);
        string[] classes = keyValues.DenseValues().Select(v => v.ToString()).ToArray();

        var options = Options(model, Side, Side) with { ClassNames = classes, InputName = "Pixels", OutputName = "Probabilities" };
        var chain = OnnxScoringChain.Create(ml, OnnxExport.ToOnnx(model, options), keyed.Schema, "Pixels", "Probabilities", "Guess", keyValues);
        var scored = chain.Transform(keyed);

        // The columns ML.NET's multiclass trainers write.
        var score = scored.Schema["Probabilities"];
        score.Type.Should().BeOfType<VectorDataViewType>().Which.Size.Should().Be(classes.Length);
        VBuffer<ReadOnlyMemory<char>> slotNames = default;
        score.GetSlotNames(ref slotNames);
        slotNames.DenseValues().Select(v => v.ToString()).Should().Equal(classes);
        var guess = scored.Schema["Guess"];
        guess.Type.Should().BeOfType<KeyDataViewType>().Which.Count.Should().Be((ulong)classes.Length);
        VBuffer<ReadOnlyMemory<char>> guessKeys = default;
        guess.GetKeyValues(ref guessKeys);
        guessKeys.DenseValues().Select(v => v.ToString()).Should().Equal(classes);
        scored.Schema.Select(c => c.Name).Should().NotContain(n => n.StartsWith("OctaveML.", StringComparison.Ordinal), "the temporaries are dropped");

        // Scores are the engine's, PredictedLabel their argmax as a key (1-based).
        var engine = EngineProbabilities(model, Normalise(raw, options.Mean, options.Std));
        var scores = scored.GetColumn<float[]>("Probabilities").ToArray();
        var guesses = scored.GetColumn<uint>("Guess").ToArray();
        var labels = keyed.GetColumn<uint>("Label").ToArray();
        int k = classes.Length;
        for (int i = 0; i < rows.Length; i++)
        {
            MaxAbsDifference(scores[i], engine.AsSpan(i * k, k)).Should().BeLessThanOrEqualTo(1e-4f);
            guesses[i].Should().Be((uint)ArgMax(scores[i]) + 1);
        }

        // ML.NET's own evaluator over the chain's columns.
        var metrics = ml.MulticlassClassification.Evaluate(scored, "Label", "Probabilities", "Guess");
        double accuracy = Enumerable.Range(0, rows.Length).Count(i => guesses[i] == labels[i]) / (double)rows.Length;
        double logLoss = Enumerable.Range(0, rows.Length).Average(i => -Math.Log(scores[i][labels[i] - 1]));
        metrics.MicroAccuracy.Should().BeApproximately(accuracy, 1e-12);
        metrics.LogLoss.Should().BeApproximately(logLoss, 1e-5);
        metrics.ConfusionMatrix.NumberOfClasses.Should().Be(k);

        // Save, load, PredictionEngine and MapKeyToValue.
        string zip = Path.Combine(_temp.FullName, "model.zip");
        ml.Model.Save(keyer.Append(chain), data.Schema, zip);
        ((IDisposable)chain).Dispose();
        var loaded = ml.Model.Load(zip, out var loadedSchema);
        loadedSchema.Select(c => c.Name).Should().Equal("Pixels", "Label");
        var withText = loaded.Append(ml.Transforms.Conversion.MapKeyToValue("Guess").Fit(loaded.Transform(data)));
        using (var predictor = ml.Model.CreatePredictionEngine<Row, Prediction>(withText))
            for (int i = 0; i < rows.Length; i++)
            {
                var p = predictor.Predict(rows[i]);
                p.Guess.Should().Be(classes[guesses[i] - 1]);
                p.Probabilities.Should().Equal(scores[i]);
            }
        ((IDisposable)withText).Dispose();
        File.Delete(zip);
        _temp.GetFileSystemInfos().Select(f => f.Name).Should().BeEmpty("no ONNX temp copy outlives its disposed transformer");
    }

    [Fact]
    public void Creating_the_chain_leaves_no_file_in_the_temp_folder()
    {
        var ml = new MLContext(seed: 1) { TempFilePath = _temp.FullName };
        var (model, _, rows) = Data();
        var keyed = ml.Transforms.Conversion.MapValueToKey("Label").Fit(ml.Data.LoadFromEnumerable(rows)).Transform(ml.Data.LoadFromEnumerable(rows));
        VBuffer<ReadOnlyMemory<char>> keyValues = default;
        keyed.Schema["Label"].GetKeyValues(ref keyValues);
        var options = Options(model, Side, Side) with { ClassNames = keyValues.DenseValues().Select(v => v.ToString()).ToArray(), InputName = "Pixels" };
        var chain = OnnxScoringChain.Create(ml, OnnxExport.ToOnnx(model, options), keyed.Schema, "Pixels", "Score", "PredictedLabel", keyValues);
        _temp.GetFileSystemInfos().Should().HaveCount(1, "only the loaded chain's own copy of the model, which it deletes when disposed");
        ((IDisposable)chain).Dispose();
        _temp.GetFileSystemInfos().Should().BeEmpty();
    }

    private static int ArgMax(float[] s)
    {
        int best = 0;
        for (int i = 1; i < s.Length; i++) if (s[i] > s[best]) best = i;
        return best;
    }
}
