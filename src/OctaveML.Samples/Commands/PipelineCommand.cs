using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using OctaveML.Models;
using OctaveML.Pipeline;
using OctaveML.Training;

namespace OctaveML.Samples.Commands;

// The ML.NET trainers in namespace OctaveML share these names; this file uses the Pipeline ones.
using OctCifarResNetTrainer = OctaveML.Pipeline.OctCifarResNetTrainer;
using OctResNetTrainer = OctaveML.Pipeline.OctResNetTrainer;

/// <summary>The outcome of a <c>pipeline</c> run.</summary>
public sealed record PipelineReport(MulticlassClassificationMetrics Metrics, string ModelPath, string PredictedFile,
    string PredictedLabel, float TopScore, TimeSpan Elapsed);

/// <summary>
/// <c>pipeline</c>: the ML.NET-style program on an image folder (default: the shipped data/fashion-png):
/// load, split, MapValueToKey / LoadImages / ResizeImages / ExtractPixels / trainer / MapKeyToValue, fit,
/// evaluate, save, reload and predict one image; ends with <c>figure test_accuracy X</c> (MicroAccuracy on the test split).
/// </summary>
public static class PipelineCommand
{
    /// <summary>The shipped image folder, relative to the repository root.</summary>
    public static readonly string ShippedRelativePath = Path.Combine("data", "fashion-png");

    /// <summary>Epochs when --epochs is not given.</summary>
    public const int DefaultEpochs = 8;

    /// <summary>Default input side: the shipped images are 28x28, resized to 32 for OctCifarResNet.</summary>
    public const int DefaultSize = 32;

    /// <summary>One input row: what <c>LoadFromImageFolder</c> gives.</summary>
    public sealed class ImageInput
    {
        /// <summary>The image file, relative to the image folder.</summary>
        public string ImagePath { get; set; } = "";

        /// <summary>The class name (unused when predicting).</summary>
        public string Label { get; set; } = "";
    }

    /// <summary>One prediction: the class name and the per-class probabilities.</summary>
    public sealed class ImagePrediction
    {
        /// <summary>The predicted class name (MapKeyToValue of the trainer's key).</summary>
        public string PredictedLabel { get; set; } = "";

        /// <summary>One probability per class, in key order.</summary>
        public float[] Score { get; set; } = [];
    }

    /// <summary>The System.CommandLine command.</summary>
    public static Command Create(TextWriter output, TextWriter error)
    {
        var data = new Option<string?>("--data") { Description = "image folder, one subfolder per class (default: data/fashion-png)" };
        var size = new Option<int>("--size") { Description = "input side in pixels (OctCifarResNet-20 below 64, OctResNet-26 from 64)", DefaultValueFactory = _ => DefaultSize };
        var epochs = new Option<int>("--epochs") { Description = "passes over the training data", DefaultValueFactory = _ => DefaultEpochs };
        var modelOut = new Option<string?>("--model-out") { Description = "where to save the model (default: a file in the temp folder)" };
        var threads = new Option<int?>("--threads") { Description = "compute threads (default: all processors)" };
        var command = new Command("pipeline", "Run the ML.NET-style pipeline: image folder -> fit -> evaluate -> save -> load -> predict.")
        {
            data, size, epochs, modelOut, threads,
        };
        command.SetAction(r => Cli.Guard(error, () =>
        {
            Execute(r.GetValue(data), r.GetValue(size), r.GetValue(epochs), r.GetValue(modelOut), r.GetValue(threads), output);
            return 0;
        }));
        return command;
    }

    /// <summary>Runs the pipeline program and prints its progress, metrics, one prediction and the figure.</summary>
    public static PipelineReport Execute(string? folder, int size, int epochs, string? modelPath, int? threads, TextWriter output)
    {
        if (size < 8) throw new UsageException($"--size: got {size}; expected at least 8.");
        if (epochs < 1) throw new UsageException($"--epochs: got {epochs}; expected at least 1.");
        if (threads is < 1) throw new UsageException($"--threads: got {threads}; expected at least 1.");
        folder ??= DatasetDetector.FindInRepository(ShippedRelativePath)
            ?? throw new UsageException($"--data: not given and the shipped {ShippedRelativePath} was not found from {Directory.GetCurrentDirectory()}; pass --data <folder>.");
        if (!Directory.Exists(folder)) throw new UsageException($"--data: {folder} does not exist; expected an image folder (one subfolder per class).");
        modelPath ??= Path.Combine(Path.GetTempPath(), $"octaveml-pipeline-{Environment.ProcessId}.zip");
        var inv = CultureInfo.InvariantCulture;
        var clock = Stopwatch.StartNew();

        var ctx = new OctaveContext(seed: 1);
        var data = ctx.Data.LoadFromImageFolder(folder);
        var split = ctx.Data.TrainTestSplit(data, testFraction: 0.2);
        output.WriteLine($"data     {Path.GetFullPath(folder)}: {ctx.Data.CreateEnumerable<ImageInput>(split.TrainSet).Count()} train, {ctx.Data.CreateEnumerable<ImageInput>(split.TestSet).Count()} test images");

        // Small inputs get the CIFAR-style network; from 64 px the ImageNet-style one (its 7x7/2 stem from 128 px).
        IEstimator<ITransformer> trainer;
        string network;
        void Progress(TrainingProgress p)
        {
            if (p.Kind == ProgressKind.EpochEnd) output.WriteLine(PlainProgress.EpochLine(p));
        }
        if (size < 64)
        {
            trainer = ctx.MulticlassClassification.Trainers.OctCifarResNet(new OctCifarResNetTrainer.Options
            {
                Depth = 20, Alpha = 0.5f, Epoch = epochs, BatchSize = 32, LearningRate = 0.1f, Threads = threads, MetricsCallback = Progress,
            });
            network = "OctCifarResNet-20 (alpha 0.5)";
        }
        else
        {
            var stem = size >= 128 ? ResNetStem.ImageNet : ResNetStem.Small;
            trainer = ctx.MulticlassClassification.Trainers.OctResNet(new OctResNetTrainer.Options
            {
                Depth = 26, Alpha = 0.5f, Stem = stem, Epoch = epochs, BatchSize = 32, LearningRate = 0.1f, Threads = threads, MetricsCallback = Progress,
            });
            network = $"OctResNet-26 (alpha 0.5, {stem} stem)";
        }
        output.WriteLine($"pipeline MapValueToKey(Label) -> LoadImages -> ResizeImages({size}x{size}) -> ExtractPixels -> {network}, {epochs} epochs, batch 32 -> MapKeyToValue(PredictedLabel)");

        var pipeline = ctx.Transforms.Conversion.MapValueToKey("Label")
            .Append(ctx.Transforms.LoadImages("Image", folder, "ImagePath"))
            .Append(ctx.Transforms.ResizeImages("Image", size, size))
            .Append(ctx.Transforms.ExtractPixels("Features", "Image", scaleImage: 1f / 255))
            .Append(trainer)
            .Append(ctx.Transforms.Conversion.MapKeyToValue("PredictedLabel"));
        var model = pipeline.Fit(split.TrainSet);

        var metrics = ctx.MulticlassClassification.Evaluate(model.Transform(split.TestSet));
        output.WriteLine(string.Create(inv, $"MicroAccuracy    {metrics.MicroAccuracy:0.0000}"));
        output.WriteLine(string.Create(inv, $"MacroAccuracy    {metrics.MacroAccuracy:0.0000}"));
        output.WriteLine(string.Create(inv, $"LogLoss          {metrics.LogLoss:0.0000}"));
        output.WriteLine(string.Create(inv, $"LogLossReduction {metrics.LogLossReduction:0.0000}"));
        output.WriteLine(metrics.ConfusionMatrix.GetFormattedConfusionTable());

        ctx.Model.Save(model, data.Schema, modelPath);
        output.WriteLine($"saved    {modelPath} ({new FileInfo(modelPath).Length:N0} bytes)");
        var engine = ctx.Model.CreatePredictionEngine<ImageInput, ImagePrediction>(ctx.Model.Load(modelPath, out _));
        var sample = ctx.Data.CreateEnumerable<ImageInput>(split.TestSet).First();
        var prediction = engine.Predict(new ImageInput { ImagePath = sample.ImagePath });
        float top = prediction.Score.Max();
        output.WriteLine(string.Create(inv, $"predict  {sample.ImagePath} (actual {sample.Label}): {prediction.PredictedLabel}, score {top:0.0000}"));

        clock.Stop();
        output.WriteLine(string.Create(inv, $"time     {clock.Elapsed.TotalSeconds:0.0} s"));
        // The line scripts read from every main job: test accuracy (MicroAccuracy on the held-out 20%).
        output.WriteLine(string.Create(inv, $"figure test_accuracy {metrics.MicroAccuracy:0.0000}"));
        return new PipelineReport(metrics, modelPath, sample.ImagePath, prediction.PredictedLabel, top, clock.Elapsed);
    }
}
