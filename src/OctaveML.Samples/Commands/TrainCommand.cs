using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using OctaveML.Models;
using OctaveML.TorchSharp;
using OctaveML.Training;
using Spectre.Console;
using ValidationResult = OctaveML.Training.ValidationResult;

namespace OctaveML.Samples.Commands;

/// <summary>The outcome of a <c>train</c> run: what was trained on what, the trained classifier and its metrics.</summary>
public sealed record TrainReport(string Model, DatasetKind Kind, int TrainImages, int ValidationImages, int TestImages,
    TrainingResult Result, ValidationResult Test, TimeSpan Elapsed, ImageClassifier Classifier);

/// <summary>
/// <c>train</c>: trains an Octave Convolution classifier on an IDX, CIFAR-10, image-folder or manifest
/// dataset (default: the shipped Fashion-MNIST subset), prints per-epoch metrics and the test metrics,
/// and ends with <c>figure test_accuracy X</c>.
/// </summary>
public static class TrainCommand
{
    /// <summary>Epochs on IDX/CIFAR data when --epochs is not given (tuned to finish the shipped set quickly).</summary>
    public const int DefaultEpochsSmallImages = 6;
    /// <summary>Epochs on image folders when --epochs is not given.</summary>
    public const int DefaultEpochsFolders = 10;

    /// <summary>The System.CommandLine command.</summary>
    public static Command Create(TextWriter output, TextWriter error, bool interactive)
    {
        var model = new Option<string?>("--model") { Description = "oct-resnet | oct-cifar-resnet | oct-mobilenet (default: oct-cifar-resnet for 28-32 px data, oct-resnet for image folders)" };
        var depth = new Option<int?>("--depth") { Description = "network depth (oct-cifar-resnet: 20, 32, 44, 56, 110; oct-resnet: 26, 50, 101, 152, 200)" };
        var alpha = new Option<double>("--alpha") { Description = "low-frequency share of the channels, in [0, 1)", DefaultValueFactory = _ => 0.5 };
        var width = new Option<double>("--width") { Description = "oct-mobilenet width multiplier", DefaultValueFactory = _ => 1.0 };
        var size = new Option<int?>("--size") { Description = "input side for image folders/manifests (default 224); IDX/CIFAR use their native size" };
        var epochs = new Option<int?>("--epochs") { Description = $"passes over the training data (default {DefaultEpochsSmallImages} for IDX/CIFAR, {DefaultEpochsFolders} for image folders)" };
        var batch = new Option<int>("--batch-size") { Description = "images per batch", DefaultValueFactory = _ => 64 };
        var optimizer = new Option<string>("--optimizer") { Description = "adamw | sgd", DefaultValueFactory = _ => "adamw" };
        var lr = new Option<double?>("--lr") { Description = "base (peak) learning rate (default 0.1 for sgd, 0.002 for adamw)" };
        var schedule = new Option<string>("--schedule") { Description = "constant | step | cosine | onecycle", DefaultValueFactory = _ => "onecycle" };
        var smoothing = new Option<double>("--label-smoothing") { Description = "label smoothing of the training loss, in [0, 1)", DefaultValueFactory = _ => 0.0 };
        var threads = new Option<int?>("--threads") { Description = "compute threads of the backend (default: all processors; libtorch's default for torchsharp)" };
        var backend = new Option<string>("--backend") { Description = "managed (OctaveML's engine) | torchsharp (libtorch 2.10 through TorchSharp)", DefaultValueFactory = _ => "managed" };
        var device = new Option<string>("--device") { Description = "cpu | cuda (cuda with --backend torchsharp and a TorchSharp CUDA bundle)", DefaultValueFactory = _ => "cpu" };
        var seed = new Option<int>("--seed") { Description = "seed of weights, shuffling, splits and augmentation", DefaultValueFactory = _ => 0 };
        var data = new Option<string?>("--data") { Description = "IDX folder, CIFAR-10 binary folder, image folder (one subfolder per class) or .csv/.tsv manifest (default: data/fashion-mnist-small)" };
        var valFraction = new Option<double>("--validation-fraction") { Description = "share of the training images validated on after each epoch, in [0, 1)", DefaultValueFactory = _ => 0.1 };
        var checkpoint = new Option<string?>("--checkpoint-dir") { Description = "folder for checkpoint.safetensors, written after every epoch" };
        var resume = new Option<bool>("--resume") { Description = "continue from the checkpoint in --checkpoint-dir" };
        var maxTrain = new Option<int?>("--max-train-images") { Description = "train on a stratified subset of about this many images (quick runs)" };

        var command = new Command("train", "Train a model and report validation and test accuracy.")
        {
            model, depth, alpha, width, size, epochs, batch, optimizer, lr, schedule, smoothing, threads, backend, device, seed, data, valFraction, checkpoint, resume, maxTrain,
        };
        command.SetAction(r => Cli.Guard(error, () => Run(new TrainSettings
        {
            Model = r.GetValue(model), Depth = r.GetValue(depth), Alpha = r.GetValue(alpha), Width = r.GetValue(width),
            Size = r.GetValue(size), Epochs = r.GetValue(epochs), BatchSize = r.GetValue(batch), Optimizer = r.GetValue(optimizer)!,
            LearningRate = r.GetValue(lr), Schedule = r.GetValue(schedule)!, LabelSmoothing = r.GetValue(smoothing),
            Threads = r.GetValue(threads), Backend = r.GetValue(backend)!, Device = r.GetValue(device)!, Seed = r.GetValue(seed), Data = r.GetValue(data), ValidationFraction = r.GetValue(valFraction),
            CheckpointDirectory = r.GetValue(checkpoint), Resume = r.GetValue(resume), MaxTrainImages = r.GetValue(maxTrain),
        }, output, interactive)));
        return command;
    }

    /// <summary>Runs <c>train</c>; returns the exit code (0).</summary>
    public static int Run(TrainSettings settings, TextWriter output, bool interactive)
    {
        Execute(settings, output, interactive);
        return 0;
    }

    /// <summary>Validates, loads, trains, tests and prints; returns what happened.</summary>
    public static TrainReport Execute(TrainSettings s, TextWriter output, bool interactive)
    {
        s.Validate();
        var clock = Stopwatch.StartNew();
        string path = s.Data ?? DatasetDetector.FindShippedDataset()
            ?? throw new UsageException($"--data: not given and the shipped {DatasetDetector.ShippedRelativePath} was not found from {Directory.GetCurrentDirectory()}; pass --data <folder>.");
        var kind = DatasetDetector.Detect(path);
        bool small = kind is DatasetKind.Idx or DatasetKind.Cifar;

        using var data = TrainData.Load(path, kind, s, output);
        string modelName = s.Model ?? (small ? "oct-cifar-resnet" : "oct-resnet");
        var model = ModelFactory.Create(modelName, s.Depth, s.Alpha, s.Width, data.Train.Width, data.Train.Channels, data.Train.ClassNames.Count, s.Seed);
        var options = new TrainerOptions
        {
            Epochs = s.Epochs ?? (small ? DefaultEpochsSmallImages : DefaultEpochsFolders),
            Optimizer = s.OptimizerKind,
            LearningRate = s.LearningRate ?? (s.OptimizerKind == OptimizerKind.AdamW ? 0.002 : 0.1),
            WeightDecay = s.OptimizerKind == OptimizerKind.AdamW ? 0.05 : 5e-4,
            Nesterov = s.OptimizerKind == OptimizerKind.Sgd,
            Schedule = s.ScheduleKind,
            StepSizeEpochs = Math.Max(1, (s.Epochs ?? DefaultEpochsSmallImages) / 3),
            LabelSmoothing = (float)s.LabelSmoothing,
            CheckpointDirectory = s.CheckpointDirectory,
            Resume = s.Resume,
        };

        var inv = CultureInfo.InvariantCulture;
        long iterations = (long)options.Epochs * data.TrainLoader.BatchesPerEpoch;
        double phaseEnd = options.PctStart * iterations - 1;
        if (options.Schedule == ScheduleKind.OneCycle && !(phaseEnd > 0 && phaseEnd < iterations - 1))
        {
            // One-cycle (as torch) needs both phases to have length; a run this short gets cosine instead.
            output.WriteLine($"note     onecycle needs at least 4 iterations and this run has {iterations}; using cosine");
            options = options with { Schedule = ScheduleKind.Cosine };
        }
        output.WriteLine($"data     {kind} {Path.GetFullPath(path)}: {data.Train.Count} train, {data.Validation?.Count ?? 0} validation, {data.Test.Count} test images of {data.Train.Channels}x{data.Train.Height}x{data.Train.Width}, {data.Train.ClassNames.Count} classes");
        output.WriteLine(string.Create(inv, $"augment  random crop (padding {data.CropPadding}){(data.Flip ? ", horizontal flip" : "")}, per-channel normalisation"));
        output.WriteLine(string.Create(inv, $"model    {ModelFactory.Describe(model)}, {model.ParameterCount():N0} parameters"));
        // The managed engine trains the model in place; libtorch trains the same spec from the same initial weights.
        using var session = s.Backend == "torchsharp"
            ? new TorchSharpBackend(s.Device, s.Threads).CreateSession(model.Spec!, options, s.Seed)
            : new ManagedBackend(s.Threads).CreateSession(model, options);
        output.WriteLine(string.Create(inv, $"training {options.Epochs} epochs, batch {s.BatchSize}, {s.Optimizer} lr {options.LearningRate} {options.Schedule.ToString().ToLowerInvariant()}, label smoothing {s.LabelSmoothing}, {session.Description}, seed {s.Seed}"));

        var trainer = new Trainer(options);
        TrainingResult result;
        if (interactive)
        {
            result = null!;
            AnsiConsole.Progress().AutoClear(false).HideCompleted(false)
                .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn())
                .Start(ctx => result = trainer.Fit(session, data.TrainLoader, data.ValidationLoader, new LiveProgress(ctx)));
        }
        else
        {
            result = trainer.Fit(session, data.TrainLoader, data.ValidationLoader, new PlainProgress(output));
        }
        if (result.StopReason == StopReason.EarlyStopped) output.WriteLine($"stopped early after epoch {result.Last.Epoch + 1}");
        if (session is not ManagedSession) model.LoadStateDict(session.StateDict());

        var test = Trainer.Evaluate(model, data.TestLoader);
        clock.Stop();
        var report = new TrainReport(ModelFactory.Describe(model), kind, data.Train.Count, data.Validation?.Count ?? 0, data.Test.Count, result, test, clock.Elapsed, model);
        PrintSummary(report, output, interactive);
        return report;
    }

    private static void PrintSummary(TrainReport r, TextWriter output, bool interactive)
    {
        var inv = CultureInfo.InvariantCulture;
        if (interactive)
        {
            var table = new Table().AddColumns("epoch", "train loss", "train acc", "val loss", "val acc", "lr");
            foreach (var e in r.Result.History)
                table.AddRow((e.Epoch + 1).ToString(inv), e.TrainLoss.ToString("0.0000", inv), e.TrainAccuracy.ToString("0.0000", inv),
                    e.ValidationLoss?.ToString("0.0000", inv) ?? "-", e.ValidationAccuracy?.ToString("0.0000", inv) ?? "-", e.LearningRate.ToString("G3", inv));
            AnsiConsole.Write(table);
        }
        output.WriteLine(string.Create(inv, $"test     loss {r.Test.Loss:0.0000} accuracy {r.Test.Accuracy:0.0000} on {r.Test.Images} images"));
        output.WriteLine(string.Create(inv, $"time     {r.Elapsed.TotalSeconds:0.0} s"));
        output.WriteLine(string.Create(inv,
            $"memory   working set {Environment.WorkingSet / 1e6:0} MB, peak {Process.GetCurrentProcess().PeakWorkingSet64 / 1e6:0} MB; {GC.GetTotalAllocatedBytes() / 1e9:0.0} GB allocated, {GC.CollectionCount(2)} gen-2 collections"));
        output.WriteLine(string.Create(inv, $"figure test_accuracy {r.Test.Accuracy:0.0000}"));
    }
}
