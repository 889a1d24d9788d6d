using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using OctaveML.Threading;
using OctaveML.Training;

namespace OctaveML.Samples.Commands;

/// <summary>The outcome of a <c>pipeline</c> run.</summary>
public sealed record PipelineReport(MulticlassClassificationMetrics Metrics, string ModelPath, string PredictedFile,
    string PredictedLabel, float TopScore, TimeSpan Elapsed);

/// <summary>
/// <c>pipeline</c>, and the main job (no command): the ML.NET program on an image folder (default: the
/// shipped data/fashion-png): rows of ImagePath and Label, TrainTestSplit, MapValueToKey / LoadImages /
/// ResizeImages(224, 224) / ExtractPixels / OctMobileNet trainer / MapKeyToValue, Fit, ML.NET's Evaluate,
/// ml.Model.Save, Load, and a PredictionEngine on one image; ends with <c>figure test_accuracy X</c>
/// (MicroAccuracy on the held-out 20%).
/// </summary>
public static class PipelineCommand
{
    /// <summary>The shipped image folder, relative to the repository root.</summary>
    public static readonly string ShippedRelativePath = Path.Combine("data", "fashion-png");

    /// <summary>Epochs when --epochs is not given.</summary>
    public const int DefaultEpochs = 12;

    /// <summary>The side images are resized to (ImageNet's, as the ML.NET program has it).</summary>
    public const int DefaultSize = 224;

    /// <summary>Where the model is saved when --model-out is not given: model.zip in the current folder.</summary>
    public const string DefaultModelPath = "model.zip";

    /// <summary>The System.CommandLine command.</summary>
    public static Command Create(TextWriter output, TextWriter error)
    {
        var data = new Option<string?>("--data") { Description = "image folder, one subfolder per class (default: data/fashion-png)" };
        var size = new Option<int>("--size") { Description = "side the images are resized to", DefaultValueFactory = _ => DefaultSize };
        var epochs = new Option<int>("--epochs") { Description = "passes over the training data", DefaultValueFactory = _ => DefaultEpochs };
        var modelOut = new Option<string>("--model-out") { Description = "where to save the model", DefaultValueFactory = _ => DefaultModelPath };
        var threads = new Option<int?>("--threads") { Description = "compute threads (default: all processors)" };
        var command = new Command("pipeline", "The main job: image folder -> ML.NET pipeline with an OctMobileNet trainer -> fit -> evaluate -> save -> load -> predict.")
        {
            data, size, epochs, modelOut, threads,
        };
        command.SetAction(r => Cli.Guard(error, () =>
        {
            Execute(r.GetValue(data), r.GetValue(size), r.GetValue(epochs), r.GetValue(modelOut)!, r.GetValue(threads), output);
            return 0;
        }));
        return command;
    }

    /// <summary>Runs the ML.NET program and prints its epochs, metrics, confusion table, one prediction and the figure.</summary>
    public static PipelineReport Execute(string? imageFolder, int size, int epochs, string modelPath, int? threads, TextWriter output)
    {
        if (size < 8) throw new UsageException($"--size: got {size}; expected at least 8.");
        if (epochs < 1) throw new UsageException($"--epochs: got {epochs}; expected at least 1.");
        if (threads is < 1) throw new UsageException($"--threads: got {threads}; expected at least 1.");
        imageFolder ??= DatasetDetector.FindInRepository(ShippedRelativePath)
            ?? throw new UsageException($"--data: not given and the shipped {ShippedRelativePath} was not found from {Directory.GetCurrentDirectory()}; pass --data <folder>.");
        if (threads is { } t) Parallelism.Threads = t;
        var rows = ImageRows.FromFolder(imageFolder);
        var inv = CultureInfo.InvariantCulture;
        var clock = Stopwatch.StartNew();

        var ml = new MLContext(seed: 1);
        IDataView data = ml.Data.LoadFromEnumerable(rows);
        var split = ml.Data.TrainTestSplit(data, testFraction: 0.2);
        int trainCount = ml.Data.CreateEnumerable<ImageInput>(split.TrainSet, reuseRowObject: true).Count();
        output.WriteLine($"data     {Path.GetFullPath(imageFolder)}: {trainCount} train, {rows.Count - trainCount} test images of {rows.Select(r => r.Label).Distinct().Count()} classes");

        // OctMobileNet at alpha 0.5 and half width: 224 px images train at about 80 a second on 2 cores.
        const int batchSize = 16;
        var schedule = ScheduleKind.OneCycle;
        if ((long)epochs * ((trainCount + batchSize - 1) / batchSize) < 4)
        {
            // One-cycle (as torch) needs both phases to have length; a run this short gets cosine instead.
            output.WriteLine("note     onecycle needs at least 4 iterations; using cosine");
            schedule = ScheduleKind.Cosine;
        }
        var options = new OctMobileNetTrainer.Options
        {
            Alpha = 0.5f, WidthMultiplier = 0.5f, Epoch = epochs, BatchSize = batchSize,
            Optimizer = OptimizerKind.AdamW, LearningRate = 2e-3f, Schedule = schedule,
            ImageFolder = imageFolder,
            MetricsCallback = m =>
            {
                if (m.Train is { Kind: ProgressKind.EpochEnd } p) output.WriteLine(PlainProgress.EpochLine(p));
                else if (m.Message is { } note) output.WriteLine($"note     {note}");
            },
        };
        output.WriteLine(string.Create(inv,
            $"pipeline MapValueToKey(Label) -> LoadImages -> ResizeImages({size}, {size}) -> ExtractPixels -> OctMobileNet (alpha {options.Alpha}, width {options.WidthMultiplier}), {epochs} epochs, batch {options.BatchSize}, AdamW {options.LearningRate} {schedule.ToString().ToLowerInvariant()} -> MapKeyToValue(PredictedLabel)"));

        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.LoadImages("Image", imageFolder, "ImagePath"))
            .Append(ml.Transforms.ResizeImages("Image", size, size))
            .Append(ml.Transforms.ExtractPixels("Features", "Image"))
            .Append(ml.MulticlassClassification.Trainers.OctMobileNet(options))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"));
        ITransformer model = pipeline.Fit(split.TrainSet);

        MulticlassClassificationMetrics metrics = ml.MulticlassClassification.Evaluate(model.Transform(split.TestSet));
        output.WriteLine(string.Create(inv, $"MicroAccuracy    {metrics.MicroAccuracy:0.0000}"));
        output.WriteLine(string.Create(inv, $"MacroAccuracy    {metrics.MacroAccuracy:0.0000}"));
        output.WriteLine(string.Create(inv, $"LogLoss          {metrics.LogLoss:0.0000}"));
        output.WriteLine(string.Create(inv, $"LogLossReduction {metrics.LogLossReduction:0.0000}"));
        output.WriteLine(metrics.ConfusionMatrix.GetFormattedConfusionTable());

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(modelPath))!);
        ml.Model.Save(model, split.TrainSet.Schema, modelPath);
        output.WriteLine($"saved    {Path.GetFullPath(modelPath)} ({new FileInfo(modelPath).Length:N0} bytes)");
        var engine = ml.Model.CreatePredictionEngine<ImageInput, ImagePrediction>(ml.Model.Load(modelPath, out _));
        var sample = ml.Data.CreateEnumerable<ImageInput>(split.TestSet, reuseRowObject: false).First();
        var prediction = engine.Predict(new ImageInput { ImagePath = sample.ImagePath });
        float top = prediction.Score.Max();
        output.WriteLine(string.Create(inv, $"predict  {sample.ImagePath} (actual {sample.Label}) with the reloaded model: {prediction.PredictedLabel}, score {top:0.0000}"));

        clock.Stop();
        output.WriteLine(string.Create(inv, $"time     {clock.Elapsed.TotalSeconds:0.0} s"));
        // The line scripts read from every main job: test accuracy (MicroAccuracy on the held-out 20%).
        output.WriteLine(string.Create(inv, $"figure test_accuracy {metrics.MicroAccuracy:0.0000}"));
        return new PipelineReport(metrics, modelPath, sample.ImagePath, prediction.PredictedLabel, top, clock.Elapsed);
    }
}
