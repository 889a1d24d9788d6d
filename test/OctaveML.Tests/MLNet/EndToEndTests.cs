using Microsoft.ML;
using Microsoft.ML.Data;
using OctaveML.Models;
using OctaveML.Training;
using Xunit.Abstractions;

namespace OctaveML.Tests.MLNet;

/// <summary>The ML.NET program of the README, on real images (data/fashion-png), with small networks and images so that it takes seconds.</summary>
public class EndToEndTests(ITestOutputHelper output)
{
    public sealed class ImageInput
    {
        public string ImagePath { get; set; } = "";
        public string Label { get; set; } = "";
    }

    public sealed class ImagePrediction
    {
        public string PredictedLabel { get; set; } = "";
        public float[] Score { get; set; } = [];
    }

    [Fact]
    public void The_ML_NET_program_trains_evaluates_saves_loads_and_predicts()
    {
        var metrics = RunProgram(32, ml => ml.MulticlassClassification.Trainers.OctCifarResNet(new OctCifarResNetTrainer.Options
            { Depth = 20, Alpha = 0.5f, Epoch = 6, BatchSize = 8, LearningRate = 0.1f }));

        metrics.MicroAccuracy.Should().BeGreaterThan(0.6, "three clearly different Fashion-MNIST classes (chance is 1/3); this seed reaches 0.92");
    }

    [Fact]
    public void An_OctMobileNet_fits_saves_loads_and_predicts_as_in_memory()
    {
        RunProgram(32, ml => ml.MulticlassClassification.Trainers.OctMobileNet(new OctMobileNetTrainer.Options
            { Alpha = 0.5f, WidthMultiplier = 0.25f, Epoch = 2, BatchSize = 8 }));
    }

    /// <summary>
    /// The program of the README with <paramref name="trainer"/>: fit on 80% of 60 Fashion images, evaluate on the rest,
    /// save, load in a fresh context and predict every test image with a PredictionEngine, which must agree with
    /// the in-memory model. Returns the metrics.
    /// </summary>
    private MulticlassClassificationMetrics RunProgram(int size, Func<MLContext, IEstimator<ITransformer>> trainer)
    {
        using var scratch = new ScratchFolder();
        string imageFolder = MLNetImages.FashionFolder;
        var rows = MLNetImages.FashionRows(20);

        var ml = new MLContext(seed: 1);
        IDataView data = ml.Data.LoadFromEnumerable(rows);
        var split = ml.Data.TrainTestSplit(data, testFraction: 0.2);
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.LoadImages("Image", imageFolder, "ImagePath"))
            .Append(ml.Transforms.ResizeImages("Image", size, size))
            .Append(ml.Transforms.ExtractPixels("Features", "Image"))
            .Append(trainer(ml))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"));
        ITransformer model = pipeline.Fit(split.TrainSet);
        IDataView scored = model.Transform(split.TestSet);
        MulticlassClassificationMetrics metrics = ml.MulticlassClassification.Evaluate(scored);
        string path = scratch.File("model.zip");
        ml.Model.Save(model, split.TrainSet.Schema, path);
        var reloaded = new MLContext(seed: 2);
        var engine = reloaded.Model.CreatePredictionEngine<ImageInput, ImagePrediction>(reloaded.Model.Load(path, out var savedSchema));

        VBuffer<ReadOnlyMemory<char>> slots = default;
        scored.Schema["Score"].GetSlotNames(ref slots);
        var classes = slots.DenseValues().Select(v => v.ToString()).ToArray();
        classes.Should().BeEquivalentTo(MLNetImages.Classes);
        var inMemory = ml.Data.CreateEnumerable<ScoredRow>(scored, reuseRowObject: false).ToList();
        var test = ml.Data.CreateEnumerable<ImageInput>(split.TestSet, reuseRowObject: false).ToList();
        output.WriteLine($"{inMemory.Count} test images, MicroAccuracy {metrics.MicroAccuracy:F3}, LogLoss {metrics.LogLoss:F3}");
        test.Should().HaveCountGreaterThan(5);
        inMemory.Select(r => r.ImagePath).Should().Equal(test.Select(r => r.ImagePath));
        foreach (var (row, expected) in test.Zip(inMemory))
        {
            var predicted = engine.Predict(row);
            predicted.PredictedLabel.Should().Be(expected.PredictedLabel, row.ImagePath);
            predicted.Score.Should().Equal(expected.Score, (a, b) => Math.Abs(a - b) <= 1e-6f, row.ImagePath);
            predicted.Score.Sum().Should().BeApproximately(1f, 1e-4f);
            predicted.PredictedLabel.Should().Be(classes[ArgMax(predicted.Score)], "PredictedLabel is the class of the highest score");
        }
        savedSchema.GetColumnOrNull("ImagePath").Should().NotBeNull();
        double accuracy = inMemory.Count(r => r.PredictedLabel == classes[r.Label - 1]) / (double)inMemory.Count;
        metrics.MicroAccuracy.Should().BeApproximately(accuracy, 1e-9, "Evaluate counts the same argmax predictions");
        metrics.ConfusionMatrix.Counts.Sum(r => r.Sum()).Should().Be(inMemory.Count);
        double.IsFinite(metrics.LogLoss).Should().BeTrue();
        return metrics;
    }

    public sealed class FeatureRow
    {
        public float[] Features { get; set; } = [];
        public float[] Score { get; set; } = [];
    }

    [Fact]
    public void The_fitted_transformer_scores_as_the_trained_network_does_on_normalised_pixels()
    {
        var ml = new MLContext(1);
        var data = MLNetImages.Prepared(ml, MLNetImages.FashionRows(6), MLNetImages.FashionFolder, 16);
        var trainer = ml.MulticlassClassification.Trainers.OctCifarResNet(new OctCifarResNetTrainer.Options { Epoch = 1, BatchSize = 9, ScoreColumnName = "Probabilities" });

        var trained = trainer.Train(data);
        var scored = trainer.Scorer(trained, data.Schema).Transform(data);

        var rows = ml.Data.CreateEnumerable<FeatureRow>(ml.Transforms.CopyColumns("Score", "Probabilities").Fit(scored).Transform(scored), reuseRowObject: false).ToList();
        var (c, h, w) = trained.Report.ImageShape;
        var pixels = rows.SelectMany(r => r.Features).ToArray();
        for (int i = 0; i < pixels.Length; i++)
        {
            int channel = i / (h * w) % c;
            pixels[i] = (pixels[i] - trained.Mean[channel]) / trained.Std[channel];
        }
        trained.Model.Eval();
        var logits = trained.Model.Forward(new OctaveML.Tensors.Tensor(pixels, rows.Count, c, h, w));
        var expected = new float[logits.Data.Length];
        OctaveML.Ops.SoftmaxKernel.Forward(rows.Count, 3, logits.Data, expected);

        rows.SelectMany(r => r.Score).Should().Equal(expected, (a, b) => Math.Abs(a - b) <= 2e-5f);
        trained.Mean.Should().OnlyContain(m => m > 0 && m < 255).And.HaveCount(3);
    }

    public sealed class ScoredRow
    {
        public string ImagePath { get; set; } = "";
        public uint Label { get; set; }
        public string PredictedLabel { get; set; } = "";
        public float[] Score { get; set; } = [];
    }

    private static int ArgMax(float[] s) => Array.IndexOf(s, s.Max());
}
