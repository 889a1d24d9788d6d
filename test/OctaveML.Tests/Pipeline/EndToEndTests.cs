using OctaveML.Pipeline;
using OctaveML.Training;

namespace OctaveML.Tests.Pipeline;

// The ML.NET trainers in namespace OctaveML share these names; this file uses the Pipeline ones.
using OctCifarResNetTrainer = OctaveML.Pipeline.OctCifarResNetTrainer;

public class EndToEndTests
{
    public sealed class Photo
    {
        public string ImagePath { get; set; } = "";
        public string Label { get; set; } = "";
    }

    public sealed class PhotoPrediction
    {
        public string PredictedLabel { get; set; } = "";
        public float[] Score { get; set; } = [];
    }

    public sealed class ScoreOnly
    {
        public float[] Score { get; set; } = [];
        public uint PredictedLabel { get; set; }
    }

    private static EstimatorChain<ImagePixelExtractingTransformer> Preprocessing(OctaveContext ctx, string root) =>
        ctx.Transforms.Conversion.MapValueToKey("Label")
            .Append(ctx.Transforms.LoadImages("Image", root, "ImagePath"))
            .Append(ctx.Transforms.ResizeImages("Image", 16, 16))
            .Append(ctx.Transforms.ExtractPixels("Features", "Image", scaleImage: 1f / 255));

    [Fact]
    public void Image_folder_to_metrics_model_file_and_prediction_engine()
    {
        string root = PipelineTestImages.WriteFolder("e2e", perClass: 8);
        try
        {
            var ctx = new OctaveContext(seed: 1);
            var logs = new List<string>();
            ctx.Log += (_, e) => logs.Add(e.ToString());
            var progress = new List<TrainingProgress>();

            var data = ctx.Data.LoadFromImageFolder(root);
            var split = ctx.Data.TrainTestSplit(data, testFraction: 0.25);
            var validation = Preprocessing(ctx, root).Fit(split.TrainSet).Transform(split.TestSet);
            var pipeline = Preprocessing(ctx, root)
                .Append(ctx.MulticlassClassification.Trainers.OctCifarResNet(new OctCifarResNetTrainer.Options
                {
                    Depth = 8, Alpha = 0.5f, Epoch = 4, BatchSize = 6, LearningRate = 0.05f, Seed = 3,
                    ValidationSet = validation, MetricsCallback = progress.Add,
                }))
                .Append(ctx.Transforms.Conversion.MapKeyToValue("PredictedLabel"));
            var model = pipeline.Fit(split.TrainSet);

            var epochs = progress.Where(p => p.Kind == ProgressKind.EpochEnd).ToArray();
            epochs.Should().HaveCount(4);
            epochs.Should().OnlyContain(p => p.ValidationAccuracy != null);
            epochs[^1].Loss.Should().BeLessThan(epochs[0].Loss); // it learns
            logs.Should().Contain(l => l.Contains("OctCifarResNetTrainer") && l.Contains("epoch 4/4"));

            var scored = model.Transform(split.TestSet);
            var metrics = ctx.MulticlassClassification.Evaluate(scored, topKPredictionCount: 2);
            metrics.MicroAccuracy.Should().BeInRange(0, 1);
            metrics.MacroAccuracy.Should().BeInRange(0, 1);
            metrics.LogLoss.Should().BeGreaterThan(0).And.BeLessThan(10);
            metrics.TopKAccuracyForAllK![1].Should().BeGreaterThanOrEqualTo(metrics.MicroAccuracy);
            metrics.ConfusionMatrix.Counts.Sum(r => r.Sum()).Should().Be(6); // 2 of 8 per class held out
            metrics.ConfusionMatrix.ClassNames.Should().Equal("green", "red", "stripes");

            var before = ctx.Data.CreateEnumerable<PhotoPrediction>(scored, ignoreMissingColumns: true).ToArray();
            before.Should().OnlyContain(p => p.Score.Length == 3 && Math.Abs(p.Score.Sum() - 1) < 1e-5);
            before.Select(p => p.PredictedLabel).Should().OnlyContain(l => l == "green" || l == "red" || l == "stripes");

            string file = Path.Combine(root, "model.zip");
            ctx.Model.Save(model, data.Schema, file);
            var loaded = ctx.Model.Load(file, out var schema);
            schema.Select(c => c.Name).Should().Equal("ImagePath", "Label");
            var after = ctx.Data.CreateEnumerable<PhotoPrediction>(loaded.Transform(split.TestSet), ignoreMissingColumns: true).ToArray();
            for (int i = 0; i < before.Length; i++)
            {
                after[i].PredictedLabel.Should().Be(before[i].PredictedLabel);
                after[i].Score.Should().Equal(before[i].Score);
            }

            var engine = ctx.Model.CreatePredictionEngine<Photo, PhotoPrediction>(loaded);
            var photos = ctx.Data.CreateEnumerable<Photo>(split.TestSet).ToArray();
            for (int i = 0; i < photos.Length; i++)
            {
                var single = engine.Predict(new Photo { ImagePath = photos[i].ImagePath });
                single.PredictedLabel.Should().Be(before[i].PredictedLabel);
                for (int k = 0; k < 3; k++) single.Score[k].Should().BeApproximately(before[i].Score[k], 1e-5f);
            }
        }
        finally { Directory.Delete(root, true); }
    }

    public static TheoryData<string> Architectures => new() { "OctResNet", "OctMobileNet", "OctCifarResNet" };

    [Theory]
    [MemberData(nameof(Architectures))]
    public void Every_trainer_fits_scores_and_round_trips_through_a_model_file(string architecture)
    {
        string root = PipelineTestImages.WriteFolder("arch", perClass: 3);
        try
        {
            var ctx = new OctaveContext(seed: 2);
            var data = ctx.Data.LoadFromImageFolder(root);
            var trainers = ctx.MulticlassClassification.Trainers;
            IEstimator<ITransformer> trainer = architecture switch
            {
                "OctResNet" => trainers.OctResNet(new() { Depth = 26, Alpha = 0.25f, Stem = OctaveML.Models.ResNetStem.Small, Epoch = 1, BatchSize = 9 }),
                "OctMobileNet" => trainers.OctMobileNet(new() { Alpha = 0.5f, WidthMultiplier = 0.25f, Epoch = 1, BatchSize = 9, Optimizer = OptimizerKind.AdamW, LearningRate = 1e-3f }),
                _ => trainers.OctCifarResNet(new() { Depth = 8, Alpha = 0f, Epoch = 1, BatchSize = 9, Schedule = ScheduleKind.Constant }),
            };
            var model = Preprocessing(ctx, root).Append(trainer).Fit(data);
            var network = (ImageClassificationPredictionTransformer)model.LastTransformer!;
            network.Architecture.Name.Should().Be(architecture);
            network.TrainingResult!.History.Should().HaveCount(1);
            var scores = ctx.Data.CreateEnumerable<ScoreOnly>(model.Transform(data)).Select(p => p.Score).ToArray();
            scores.Should().HaveCount(9).And.OnlyContain(s => s.Length == 3 && s.All(float.IsFinite));

            var stream = new MemoryStream();
            ctx.Model.Save(model, data.Schema, stream);
            stream.Position = 0;
            var loaded = ctx.Model.Load(stream, out _);
            var again = ctx.Data.CreateEnumerable<ScoreOnly>(loaded.Transform(data)).Select(p => p.Score).ToArray();
            for (int i = 0; i < scores.Length; i++) again[i].Should().Equal(scores[i]);
        }
        finally { Directory.Delete(root, true); }
    }

    [Fact]
    public void Trainer_errors_name_what_to_fix()
    {
        string root = PipelineTestImages.WriteFolder("errors", perClass: 2);
        string single = PipelineTestImages.WriteFolder("single", perClass: 2, classes: ["red"]);
        try
        {
            var ctx = new OctaveContext(seed: 1);
            var data = ctx.Data.LoadFromImageFolder(root);
            var trainer = ctx.MulticlassClassification.Trainers.OctCifarResNet(new() { Depth = 8, Epoch = 1 });

            var noFeatures = () => ctx.Transforms.Conversion.MapValueToKey("Label").Append(trainer).Fit(data);
            noFeatures.Should().Throw<ArgumentException>().WithMessage("*feature column 'Features' not found*'ImagePath'*'Label'*");

            var noKey = () => ctx.Transforms.LoadImages("Image", root, "ImagePath")
                .Append(ctx.Transforms.ResizeImages("Image", 8, 8))
                .Append(ctx.Transforms.ExtractPixels("Features", "Image")).Append(trainer).Fit(data);
            noKey.Should().Throw<ArgumentException>().WithMessage("*label column 'Label' has type String; expected a key column*MapValueToKey*");

            var oneClass = () => Preprocessing(ctx, single).Append(trainer).Fit(ctx.Data.LoadFromImageFolder(single));
            oneClass.Should().Throw<ArgumentException>().WithMessage("*single class ('red')*at least two*");

            var badDepth = () => ctx.MulticlassClassification.Trainers.OctResNet(new() { Depth = 51 });
            badDepth.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*Options.Depth must be one of*");
            var badAlpha = () => ctx.MulticlassClassification.Trainers.OctMobileNet(new() { Alpha = 1f });
            badAlpha.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*Options.Alpha*");

            var empty = () => Preprocessing(ctx, root).Append(trainer).Fit(ctx.Data.TakeRows(data, 0));
            empty.Should().Throw<ArgumentException>().WithMessage("*no values*");

            using var cts = new CancellationTokenSource();
            cts.Cancel();
            var cancelled = () => Preprocessing(ctx, root)
                .Append(ctx.MulticlassClassification.Trainers.OctCifarResNet(new() { Depth = 8, Epoch = 1, CancellationToken = cts.Token }))
                .Fit(data);
            cancelled.Should().Throw<OperationCanceledException>();
        }
        finally { Directory.Delete(root, true); Directory.Delete(single, true); }
    }
}
