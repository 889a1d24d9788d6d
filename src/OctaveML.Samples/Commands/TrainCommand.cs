using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using OctaveML.Data;
using OctaveML.Threading;
using OctaveML.TorchSharp;
using OctaveML.Training;
using Spectre.Console;

namespace OctaveML.Samples.Commands;

/// <summary>The outcome of a <c>train</c> run: what was trained on what, the fitted model and ML.NET's test metrics.</summary>
public sealed record TrainReport(string Model, DatasetKind Kind, int TrainImages, int ValidationImages, int TestImages,
    TrainingResult Result, MulticlassClassificationMetrics Test, TimeSpan Elapsed, ITransformer Fitted, IDataView TestData)
{
    /// <summary>With --test-flip: the test accuracy of averaging each image's and its mirror's class probabilities.</summary>
    public double? TestFlipAccuracy { get; init; }
}

/// <summary>
/// <c>train</c>: trains an Octave Convolution classifier through the ML.NET trainers on an IDX, CIFAR-10,
/// image-folder or manifest dataset (default: the shipped Fashion-MNIST subset), prints per-epoch
/// metrics and ML.NET's test metrics, and ends with <c>figure test_accuracy X</c> (MicroAccuracy).
/// </summary>
public static class TrainCommand
{
    /// <summary>Epochs on IDX/CIFAR data when --epochs is not given (tuned to finish the shipped set quickly).</summary>
    public const int DefaultEpochsSmallImages = 6;
    /// <summary>Epochs on image folders when --epochs is not given.</summary>
    public const int DefaultEpochsFolders = 10;
    /// <summary>The per-epoch CSV written beside the checkpoint (or the model).</summary>
    public const string EpochsCsvName = "epochs.csv";

    /// <summary>The System.CommandLine command.</summary>
    public static Command Create(TextWriter output, TextWriter error, bool interactive)
    {
        var model = new Option<string?>("--model") { Description = "oct-resnet | oct-cifar-resnet | oct-mobilenet (default: oct-cifar-resnet for 28-32 px data, oct-resnet for image folders)" };
        var depth = new Option<int?>("--depth") { Description = "network depth (oct-cifar-resnet: 20, 32, 44, 56, 110; oct-resnet: 26, 50, 101, 152, 200)" };
        var alpha = new Option<double>("--alpha") { Description = "low-frequency share of the channels, in [0, 1)", DefaultValueFactory = _ => 0.5 };
        var width = new Option<double>("--width") { Description = "oct-mobilenet width multiplier", DefaultValueFactory = _ => 1.0 };
        var size = new Option<int?>("--size") { Description = "side image folders/manifests are resized to (default 224); IDX/CIFAR use their native size" };
        var epochs = new Option<int?>("--epochs") { Description = $"passes over the training data (default {DefaultEpochsSmallImages} for IDX/CIFAR, {DefaultEpochsFolders} for image folders)" };
        var batch = new Option<int>("--batch-size") { Description = "images per batch", DefaultValueFactory = _ => 64 };
        var optimizer = new Option<string>("--optimizer") { Description = "adamw | sgd", DefaultValueFactory = _ => "adamw" };
        var lr = new Option<double?>("--lr") { Description = "base (peak) learning rate (default 0.1 for sgd, 0.002 for adamw)" };
        var schedule = new Option<string>("--schedule") { Description = "constant | step | cosine | onecycle", DefaultValueFactory = _ => "onecycle" };
        var smoothing = new Option<double>("--label-smoothing") { Description = "label smoothing of the training loss, in [0, 1)", DefaultValueFactory = _ => 0.0 };
        var weightDecay = new Option<double?>("--weight-decay") { Description = "weight decay: decoupled for adamw, L2 for sgd (default 0.05 for adamw, 5e-4 for sgd)" };
        var augment = new Option<string>("--augment") { Description = "training augmentation: crop, flip, crop,flip or none (default crop,flip; digits never flip)", DefaultValueFactory = _ => "crop,flip" };
        var erasing = new Option<double>("--random-erasing") { Description = "chance that a random rectangle of each training image is erased, in [0, 1]", DefaultValueFactory = _ => 0.0 };
        var testFlip = new Option<bool>("--test-flip") { Description = "also report the test accuracy of averaging each image's and its mirror's class probabilities" };
        var threads = new Option<int?>("--threads") { Description = "compute threads of the backend (default: all processors; libtorch's default for torchsharp)" };
        var backend = new Option<string>("--backend") { Description = "managed (OctaveML's engine) | torchsharp (libtorch 2.10 through TorchSharp)", DefaultValueFactory = _ => "managed" };
        var device = new Option<string>("--device") { Description = "cpu | cuda (cuda with --backend torchsharp and a TorchSharp CUDA bundle)", DefaultValueFactory = _ => "cpu" };
        var seed = new Option<int>("--seed") { Description = "seed of weights, shuffling, splits and augmentation", DefaultValueFactory = _ => 0 };
        var data = new Option<string?>("--data") { Description = "IDX folder, CIFAR-10 binary folder, image folder (one subfolder per class) or .csv/.tsv manifest (default: data/fashion-mnist-small)" };
        var valFraction = new Option<double>("--validation-fraction") { Description = "share of the training images validated on after each epoch, in [0, 1)", DefaultValueFactory = _ => 0.1 };
        var checkpoint = new Option<string?>("--checkpoint-dir") { Description = $"folder for checkpoint.safetensors, written after every epoch (and {EpochsCsvName} at the end)" };
        var resume = new Option<bool>("--resume") { Description = "continue from the checkpoint in --checkpoint-dir" };
        var maxTrain = new Option<int?>("--max-train-images") { Description = "train on a random sample of this many images (quick runs)" };
        var modelOut = new Option<string?>("--model-out") { Description = $"save the fitted ML.NET model (model.zip) here, with {EpochsCsvName} beside it" };
        var initialWeights = new Option<string?>("--initial-weights") { Description = "start from these weights: a .safetensors file or a PyTorch state dict (.pth); a classifier head for another class count is re-initialised" };
        var fineTune = new Option<string?>("--fine-tune") { Description = "with --initial-weights: all (every layer learns, the backbone at 0.1 x --lr; default) or head (the head alone, on features computed once: no augmentation)" };
        var plot = new Option<string?>("--plot") { Description = "draw the training curves (loss, accuracy, learning rate per epoch) to this PNG" };

        var command = new Command("train", "Train a model through the ML.NET trainers and report ML.NET's test metrics.")
        {
            model, depth, alpha, width, size, epochs, batch, optimizer, lr, schedule, smoothing, weightDecay, augment, erasing, testFlip,
            threads, backend, device, seed, data, valFraction, checkpoint, resume, maxTrain, modelOut, plot, initialWeights, fineTune,
        };
        command.SetAction(r => Cli.Guard(error, () => Run(new TrainSettings
        {
            Model = r.GetValue(model), Depth = r.GetValue(depth), Alpha = r.GetValue(alpha), Width = r.GetValue(width),
            Size = r.GetValue(size), Epochs = r.GetValue(epochs), BatchSize = r.GetValue(batch), Optimizer = r.GetValue(optimizer)!,
            LearningRate = r.GetValue(lr), Schedule = r.GetValue(schedule)!, LabelSmoothing = r.GetValue(smoothing),
            WeightDecay = r.GetValue(weightDecay), Augment = r.GetValue(augment)!, RandomErasing = r.GetValue(erasing), TestFlip = r.GetValue(testFlip),
            Threads = r.GetValue(threads), Backend = r.GetValue(backend)!, Device = r.GetValue(device)!, Seed = r.GetValue(seed), Data = r.GetValue(data), ValidationFraction = r.GetValue(valFraction),
            CheckpointDirectory = r.GetValue(checkpoint), Resume = r.GetValue(resume), MaxTrainImages = r.GetValue(maxTrain),
            ModelOut = r.GetValue(modelOut), Plot = r.GetValue(plot), InitialWeights = r.GetValue(initialWeights), FineTune = r.GetValue(fineTune),
        }, output, interactive)));
        return command;
    }

    /// <summary>Runs <c>train</c>; returns the exit code (0).</summary>
    public static int Run(TrainSettings settings, TextWriter output, bool interactive)
    {
        Execute(settings, output, interactive);
        return 0;
    }

    /// <summary>Validates, loads, fits, evaluates and prints; returns what happened.</summary>
    public static TrainReport Execute(TrainSettings s, TextWriter output, bool interactive)
    {
        s.Validate();
        var clock = Stopwatch.StartNew();
        if (s.Threads is { } t && s.Backend == "managed") Parallelism.Threads = t;
        string path = s.Data ?? DatasetDetector.FindShippedDataset()
            ?? throw new UsageException($"--data: not given and the shipped {DatasetDetector.ShippedRelativePath} was not found from {Directory.GetCurrentDirectory()}; pass --data <folder>.");
        var kind = DatasetDetector.Detect(path);
        bool small = kind is DatasetKind.Idx or DatasetKind.Cifar;
        var inv = CultureInfo.InvariantCulture;

        var ml = new MLContext(seed: s.Seed);
        var data = TrainData.Load(ml, path, kind, s);
        var (channels, height, side) = data.Shape;
        int epochs = s.Epochs ?? (small ? DefaultEpochsSmallImages : DefaultEpochsFolders);
        bool adamW = s.OptimizerKind == OptimizerKind.AdamW;
        var schedule = s.ScheduleKind;
        int trainImages = s.ValidationFraction > 0 ? (int)Math.Ceiling(data.TrainRows * (1 - s.ValidationFraction)) : data.TrainRows;
        long iterations = (long)epochs * ((trainImages + s.BatchSize - 1) / s.BatchSize);
        if (schedule == ScheduleKind.OneCycle && iterations < 4)
        {
            // One-cycle (as torch) needs both phases to have length; a run this short gets cosine instead.
            output.WriteLine($"note     onecycle needs at least 4 iterations and this run has {iterations}; using cosine");
            schedule = ScheduleKind.Cosine;
        }
        int padding = s.AugmentCrop ? (side >= 64 ? side / 16 : side >= 32 ? 4 : 2) : 0;
        bool mirrorable = !(kind == DatasetKind.Idx && ClassNames(data.Train).SequenceEqual(IdxDataset.DigitClassNames)); // a mirrored digit is another symbol
        bool flip = s.AugmentFlip && mirrorable;
        if (s.TestFlip && !mirrorable)
            throw new UsageException("--test-flip: the classes are digits, and a mirrored digit is another symbol; omit --test-flip.");
        double weightDecay = s.WeightDecay ?? (adamW ? 0.05 : 5e-4);
        var augmentation = padding > 0 || flip || s.RandomErasing > 0
            ? new ImageAugmentation { CropPadding = padding, HorizontalFlip = flip, ErasingProbability = (float)s.RandomErasing }
            : null;
        FineTuning? fineTune = s.FineTune switch { "head" => FineTuning.HeadOnly(), "all" => FineTuning.AllLayers(), _ => null };
        if (fineTune?.Mode == FineTuneMode.HeadOnly && augmentation is not null)
        {
            // The head trains on each image's features computed once, so the images cannot change from epoch to epoch.
            output.WriteLine($"note     --fine-tune head trains the head on features computed once: no augmentation (instead of {Describe(augmentation)})");
            augmentation = null;
        }
        if (s.CheckpointDirectory is { } dir && !s.Resume && File.Exists(Checkpoint.PathIn(dir)))
            File.Delete(Checkpoint.PathIn(dir)); // without --resume a run starts over

        IProgress<TrainingProgress> progress = new PlainProgress(output);
        string modelName = s.Model ?? (small ? "oct-cifar-resnet" : "oct-resnet");
        var trainer = TrainerFactory.Create(ml, modelName, s.Depth, s.Alpha, s.Width, side, o =>
        {
            o.Epoch = epochs;
            o.BatchSize = s.BatchSize;
            o.LearningRate = (float)(s.LearningRate ?? (adamW ? 0.002 : 0.1));
            o.Optimizer = s.OptimizerKind;
            o.Schedule = schedule;
            o.WeightDecay = (float)weightDecay;
            o.LabelSmoothing = (float)s.LabelSmoothing;
            o.Seed = s.Seed;
            o.ValidationSetFraction = s.ValidationFraction > 0 ? (float)s.ValidationFraction : null;
            o.CheckpointDirectory = s.CheckpointDirectory;
            o.Augmentation = augmentation;
            o.ImageFolder = data.ImageFolder;
            o.InitialWeights = s.InitialWeights;
            o.FineTune = fineTune;
            // The managed engine is the default; libtorch trains the same spec from the same initial weights.
            o.Backend = s.Backend == "torchsharp" ? new TorchSharpBackend(s.Device, s.Threads) : null;
            o.MetricsCallback = m =>
            {
                if (m.Train is { } p) progress.Report(p);
                else if (m.SkippedImage is { } skipped) output.WriteLine($"skipped  {skipped}");
            };
        }, out string description, out var lastReport);
        IEstimator<ITransformer> pipeline = data.Preprocessing is { } pre ? pre.Append(trainer) : trainer;
        pipeline = pipeline.Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"));

        output.WriteLine($"data     {kind} {Path.GetFullPath(path)}: {data.TrainRows} train images (validating on {s.ValidationFraction:0.##} of them), {data.TestRows} test images of {channels}x{height}x{side}, {data.Classes} classes");
        if (data.Preprocessing is not null)
            output.WriteLine($"pipeline MapValueToKey(Label) -> LoadImages -> ResizeImages({side}, {side}) -> ExtractPixels -> {description} -> MapKeyToValue(PredictedLabel)");
        output.WriteLine($"augment  {Describe(augmentation)}");
        output.WriteLine(string.Create(inv, $"model    {description}"));
        output.WriteLine(string.Create(inv, $"training {epochs} epochs, batch {s.BatchSize}, {s.Optimizer} lr {s.LearningRate ?? (adamW ? 0.002 : 0.1)} {schedule.ToString().ToLowerInvariant()}, weight decay {weightDecay}, label smoothing {s.LabelSmoothing}, {s.Backend} backend, seed {s.Seed}"));

        ITransformer fitted = null!;
        if (interactive)
        {
            AnsiConsole.Progress().AutoClear(false).HideCompleted(false)
                .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn())
                .Start(ctx =>
                {
                    progress = new LiveProgress(ctx);
                    fitted = pipeline.Fit(data.Train);
                });
        }
        else
        {
            fitted = pipeline.Fit(data.Train);
        }
        var report = lastReport() ?? throw new InvalidOperationException("the trainer reported no training.");
        output.WriteLine($"backend  {report.Backend}");
        if (report.InitialWeights is { } iw)
            output.WriteLine($"weights  {Path.GetFullPath(iw.Path)} ({iw.Format}): {iw.Loaded.Count} tensors loaded"
                + (iw.HeadReinitialized ? $", the head re-initialised for {data.Classes} classes (the file's has {iw.FileNumClasses})" : "")
                + $"; fine-tuned {(report.FineTune?.Mode == FineTuneMode.HeadOnly ? "the head alone" : "all layers")}");
        if (report.Training.StopReason == StopReason.EarlyStopped) output.WriteLine($"stopped early after epoch {report.Training.Last.Epoch + 1}");

        var metrics = ml.MulticlassClassification.Evaluate(fitted.Transform(data.Test));
        double? flipAccuracy = s.TestFlip ? TestTimeFlip.Accuracy(ml, fitted, data.Test, channels, height, side) : null;
        clock.Stop();
        var result = new TrainReport(description, kind, report.TrainingImages, report.ValidationImages, data.TestRows, report.Training, metrics, clock.Elapsed, fitted, data.Test)
        {
            TestFlipAccuracy = flipAccuracy,
        };
        Save(result, ml, data, s, output);
        PrintSummary(result, output, interactive);
        return result;
    }

    /// <summary>The model, the per-epoch CSV and the curves, where the options ask for them.</summary>
    private static void Save(TrainReport r, MLContext ml, TrainData data, TrainSettings s, TextWriter output)
    {
        if (s.ModelOut is { } modelOut)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(modelOut))!);
            ml.Model.Save(r.Fitted, data.Train.Schema, modelOut);
            output.WriteLine($"saved    {Path.GetFullPath(modelOut)} ({new FileInfo(modelOut).Length:N0} bytes)");
        }
        string? csvFolder = s.CheckpointDirectory ?? (s.ModelOut is { } m ? Path.GetDirectoryName(Path.GetFullPath(m)) : null);
        if (csvFolder is not null)
        {
            string csv = Path.Combine(csvFolder, EpochsCsvName);
            EpochMetricsCsv.Write(csv, r.Result.History);
            output.WriteLine($"epochs   {Path.GetFullPath(csv)}");
        }
        if (s.Plot is { } plot)
        {
            TrainingCurves.SavePng(plot, [(r.Model, r.Result.History)]);
            output.WriteLine($"plot     {Path.GetFullPath(plot)}");
        }
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
        var m = r.Test;
        output.WriteLine(string.Create(inv, $"test     MicroAccuracy {m.MicroAccuracy:0.0000}, MacroAccuracy {m.MacroAccuracy:0.0000}, LogLoss {m.LogLoss:0.0000} on {r.TestImages} images"));
        output.WriteLine(m.ConfusionMatrix.GetFormattedConfusionTable());
        if (r.TestFlipAccuracy is { } flip)
            output.WriteLine(string.Create(inv, $"test     with test-time flip (mean of the image's and its mirror's probabilities): MicroAccuracy {flip:0.0000}"));
        output.WriteLine(string.Create(inv, $"time     {r.Elapsed.TotalSeconds:0.0} s"));
        output.WriteLine(string.Create(inv,
            $"memory   working set {Environment.WorkingSet / 1e6:0} MB, peak {Process.GetCurrentProcess().PeakWorkingSet64 / 1e6:0} MB; {GC.GetTotalAllocatedBytes() / 1e9:0.0} GB allocated, {GC.CollectionCount(2)} gen-2 collections"));
        if (r.TestFlipAccuracy is { } f) output.WriteLine(string.Create(inv, $"figure test_accuracy_flip {f:0.0000}"));
        output.WriteLine(string.Create(inv, $"figure test_accuracy {m.MicroAccuracy:0.0000}"));
    }

    /// <summary>"random crop (padding 2), horizontal flip, random erasing (p 0.5), per-channel normalisation", or "none, ...".</summary>
    private static string Describe(ImageAugmentation? a)
    {
        var parts = new List<string>();
        if (a is { CropPadding: > 0 }) parts.Add(FormattableString.Invariant($"random crop (padding {a.CropPadding})"));
        if (a is { HorizontalFlip: true }) parts.Add("horizontal flip");
        if (a is { ErasingProbability: > 0 }) parts.Add(FormattableString.Invariant($"random erasing (p {a.ErasingProbability})"));
        if (parts.Count == 0) parts.Add("none");
        return string.Join(", ", parts) + ", per-channel normalisation";
    }

    /// <summary>The Label key's class names (IDX and CIFAR views carry them as key values).</summary>
    private static string[] ClassNames(IDataView view)
    {
        VBuffer<ReadOnlyMemory<char>> names = default;
        view.Schema["Label"].GetKeyValues(ref names);
        return names.DenseValues().Select(n => n.ToString()).ToArray();
    }
}
