using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using OctaveML.Data;
using OctaveML.Onnx;
using OctaveML.Threading;
using OctaveML.Training;

namespace OctaveML.Samples.Commands;

/// <summary>The options of <c>finetune-demo</c>.</summary>
public sealed record FineTuneDemoSettings
{
    /// <summary>--mnist: the Fashion-MNIST IDX folder (default: Debian's /usr/share/datasets/fashion-mnist, else data/fashion-mnist-small).</summary>
    public string? Mnist { get; init; }
    /// <summary>--data: the main job's image folder (default data/fashion-png).</summary>
    public string? Data { get; init; }
    /// <summary>--work: where the PNG folders and the pretrained weights go (default: a temporary folder, deleted at the end).</summary>
    public string? Work { get; init; }
    /// <summary>--weights: start from this file instead of pretraining (an OctCifarResNet-20, alpha 0.5, 3 input channels).</summary>
    public string? Weights { get; init; }
    /// <summary>--pretrain-per-class: images of each of the other 5 classes to pretrain on.</summary>
    public int PretrainPerClass { get; init; } = 1000;
    /// <summary>--pretrain-epochs.</summary>
    public int PretrainEpochs { get; init; } = 4;
    /// <summary>--epochs: of the all-layers fine-tuning and of the run from scratch (a second run from scratch takes 3 times as many).</summary>
    public int Epochs { get; init; } = 5;
    /// <summary>--head-epochs: of the head-only fine-tuning (each is a matrix product over cached features).</summary>
    public int HeadEpochs { get; init; } = 50;
    /// <summary>--held-out-per-class: Fashion-MNIST test images of each of the main job's classes to score on (all when 0).</summary>
    public int HeldOutPerClass { get; init; }
    /// <summary>--threads of the managed engine and ONNX Runtime (default: all processors).</summary>
    public int? Threads { get; init; }

    /// <summary>Throws <see cref="UsageException"/> naming the first bad option.</summary>
    public void Validate()
    {
        if (PretrainPerClass < 10) throw Bad("--pretrain-per-class", PretrainPerClass, "at least 10");
        if (PretrainEpochs < 1) throw Bad("--pretrain-epochs", PretrainEpochs, "at least 1");
        if (Epochs < 1) throw Bad("--epochs", Epochs, "at least 1");
        if (HeadEpochs < 1) throw Bad("--head-epochs", HeadEpochs, "at least 1");
        if (HeldOutPerClass < 0) throw Bad("--held-out-per-class", HeldOutPerClass, "0 (all) or more");
        if (Threads is < 1) throw Bad("--threads", Threads, "at least 1");
        if (Weights is { } w && !File.Exists(w)) throw new UsageException($"--weights: {w} does not exist.");
    }

    private static UsageException Bad(string option, object? value, string expected) =>
        new($"{option}: got {Convert.ToString(value, CultureInfo.InvariantCulture)}; expected {expected}.");
}

/// <summary>One row of the demonstration: how long Fit took and ML.NET's MicroAccuracy on the two held-out sets.</summary>
public sealed record FineTuneDemoRow(string Name, string Recipe, TimeSpan Wall, TimeSpan Cpu, double TestAccuracy, double HeldOutAccuracy);

/// <summary>What <c>finetune-demo</c> measured.</summary>
public sealed record FineTuneDemoReport(FineTuneDemoRow? Pretraining, IReadOnlyList<FineTuneDemoRow> Rows, int TrainImages, int TestImages, int HeldOutImages);

/// <summary>
/// <c>finetune-demo</c>: the issue's measured demonstration of fine-tuning. An OctCifarResNet-20 (alpha 0.5) is
/// pretrained on the 5 Fashion-MNIST classes that are not in the main job's data (written as PNG folders and fed
/// through the same ML.NET pipeline at 28 px) and saved as safetensors; then, in the main job's pipeline (the 400
/// images of data/fashion-png, TrainTestSplit 0.2 with MLContext seed 1: 313 to train on, 87 to test on) at 28 px,
/// these are fitted: ML.NET's LbfgsMaximumEntropy on the pixels; the network from scratch, for as many epochs as
/// the all-layers fine-tuning (about the same time) and for 3 times as many; and the network fine-tuned from the
/// pretrained weights, head only and all layers (the backbone at the head's rate, and at the default tenth of it).
/// Each is scored by ML.NET's Evaluate on the test split and on Fashion-MNIST's own test images of the same 5
/// classes (5,000 with Debian's dataset).
/// </summary>
public static class FineTuneDemoCommand
{
    /// <summary>The side images are resized to (Fashion-MNIST's own).</summary>
    public const int Side = 28;

    private const string DebianFashionMnist = "/usr/share/datasets/fashion-mnist";

    /// <summary>The System.CommandLine command.</summary>
    public static Command Create(TextWriter output, TextWriter error)
    {
        var d = new FineTuneDemoSettings();
        var mnist = new Option<string?>("--mnist") { Description = $"Fashion-MNIST IDX folder (default: {DebianFashionMnist}, else data/fashion-mnist-small)" };
        var data = new Option<string?>("--data") { Description = "the main job's image folder (default: data/fashion-png)" };
        var work = new Option<string?>("--work") { Description = "keep the PNG folders and pretrained.safetensors here (default: a temporary folder, deleted)" };
        var weights = new Option<string?>("--weights") { Description = "fine-tune from this file instead of pretraining (OctCifarResNet-20, alpha 0.5, 3 channels; .safetensors or .pth)" };
        var perClass = new Option<int>("--pretrain-per-class") { Description = "images of each of the other 5 classes to pretrain on", DefaultValueFactory = _ => d.PretrainPerClass };
        var pretrainEpochs = new Option<int>("--pretrain-epochs") { Description = "pretraining epochs", DefaultValueFactory = _ => d.PretrainEpochs };
        var epochs = new Option<int>("--epochs") { Description = "epochs of the all-layers fine-tuning and of the run from scratch", DefaultValueFactory = _ => d.Epochs };
        var headEpochs = new Option<int>("--head-epochs") { Description = "epochs of the head-only fine-tuning", DefaultValueFactory = _ => d.HeadEpochs };
        var heldOut = new Option<int>("--held-out-per-class") { Description = "Fashion-MNIST test images per class to score on (0: all)", DefaultValueFactory = _ => d.HeldOutPerClass };
        var threads = new Option<int?>("--threads") { Description = "compute threads (default: all processors)" };
        var command = new Command("finetune-demo",
            "Pretrain an OctCifarResNet-20 on the 5 Fashion-MNIST classes the main job lacks, then compare, in the main job's ML.NET pipeline at 28 px: fine-tuning (head only, all layers), training from scratch, and LbfgsMaximumEntropy.")
        {
            mnist, data, work, weights, perClass, pretrainEpochs, epochs, headEpochs, heldOut, threads,
        };
        command.SetAction(r => Cli.Guard(error, () =>
        {
            Execute(new FineTuneDemoSettings
            {
                Mnist = r.GetValue(mnist), Data = r.GetValue(data), Work = r.GetValue(work), Weights = r.GetValue(weights),
                PretrainPerClass = r.GetValue(perClass), PretrainEpochs = r.GetValue(pretrainEpochs), Epochs = r.GetValue(epochs),
                HeadEpochs = r.GetValue(headEpochs), HeldOutPerClass = r.GetValue(heldOut), Threads = r.GetValue(threads),
            }, output);
            return 0;
        }));
        return command;
    }

    /// <summary>Runs the demonstration and prints its table; returns what it measured.</summary>
    public static FineTuneDemoReport Execute(FineTuneDemoSettings s, TextWriter output)
    {
        s.Validate();
        var inv = CultureInfo.InvariantCulture;
        if (s.Threads is { } t) Parallelism.Threads = t;
        string imageFolder = s.Data ?? DatasetDetector.FindInRepository(PipelineCommand.ShippedRelativePath)
            ?? throw new UsageException($"--data: not given and the shipped {PipelineCommand.ShippedRelativePath} was not found from {Directory.GetCurrentDirectory()}; pass --data <folder>.");
        string mnist = s.Mnist ?? (IdxDataset.FolderHasIdxPairs(DebianFashionMnist) ? DebianFashionMnist : DatasetDetector.FindShippedDataset())
            ?? throw new UsageException($"--mnist: not given, and neither {DebianFashionMnist} (apt-get install dataset-fashion-mnist) nor data/fashion-mnist-small was found.");
        if (!IdxDataset.FolderHasIdxPairs(mnist)) throw new UsageException($"--mnist: {mnist} holds no Fashion-MNIST IDX pairs (train-images-idx3-ubyte, t10k-...).");
        bool temporary = s.Work is null;
        string work = s.Work ?? Path.Combine(Path.GetTempPath(), "octaveml-finetune-demo-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(work);
        output.WriteLine($"cpu      {CpuModel()}, {Environment.ProcessorCount} processors, engine threads {Parallelism.Threads}");
        try
        {
            var mainClasses = Directory.GetDirectories(imageFolder).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToArray();
            var allClasses = IdxDataset.FashionMnistClassNames.Select(PngFolder.FolderName).ToArray();
            if (mainClasses.Length == 0 || mainClasses.Any(c => !allClasses.Contains(c)))
                throw new UsageException($"--data: {imageFolder} must hold Fashion-MNIST class folders ({string.Join(", ", allClasses)}); it has [{string.Join(", ", mainClasses)}].");
            var otherClasses = allClasses.Where(c => !mainClasses.Contains(c)).ToArray();

            // Fashion-MNIST's test images of the main job's classes: a larger held-out set than the 80.
            var heldOutRows = PngFolder.Write(IdxDataset.LoadFolder(mnist, train: false), mainClasses, s.HeldOutPerClass == 0 ? null : s.HeldOutPerClass, Path.Combine(work, "held-out"));
            output.WriteLine($"data     {Path.GetFullPath(imageFolder)} (the main job's {string.Join(", ", mainClasses)}); held out: {heldOutRows.Count} Fashion-MNIST test images of those classes from {mnist}");

            FineTuneDemoRow? pretraining = null;
            string weights;
            if (s.Weights is { } given)
            {
                weights = given;
                output.WriteLine($"weights  {Path.GetFullPath(given)} (given; no pretraining)");
            }
            else
            {
                (pretraining, weights) = Pretrain(s, mnist, otherClasses, work, output);
            }

            // The main job's data and split, exactly: MLContext(seed: 1), TrainTestSplit(testFraction: 0.2).
            var ml = new MLContext(seed: 1);
            var split = ml.Data.TrainTestSplit(ml.Data.LoadFromEnumerable(ImageRows.FromFolder(imageFolder)), testFraction: 0.2);
            var heldOut = ml.Data.LoadFromEnumerable(heldOutRows);
            int trainCount = ml.Data.CreateEnumerable<ImageInput>(split.TrainSet, reuseRowObject: true).Count();
            int testCount = ml.Data.CreateEnumerable<ImageInput>(split.TestSet, reuseRowObject: true).Count();
            output.WriteLine($"split    {trainCount} train, {testCount} test images (the main job's TrainTestSplit), resized to {Side} px");

            var rows = new List<FineTuneDemoRow>
            {
                Run(ml, "LbfgsMaximumEntropy on pixels", "ML.NET's linear baseline: NormalizeMinMax, LbfgsMaximumEntropy",
                    Prefix(ml, imageFolder).Append(ml.Transforms.NormalizeMinMax("Features"))
                        .Append(ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy("Label", "Features")),
                    split, heldOut, output),
                Run(ml, "OctCifarResNet-20 from scratch", $"{s.Epochs} epochs, AdamW 2e-3 one-cycle, batch 16",
                    Prefix(ml, imageFolder).Append(Network(ml, imageFolder, trainCount, s.Epochs, 2e-3f, null, null, output)), split, heldOut, output),
                Run(ml, "OctCifarResNet-20 from scratch, 3x longer", $"{3 * s.Epochs} epochs, AdamW 2e-3 one-cycle, batch 16",
                    Prefix(ml, imageFolder).Append(Network(ml, imageFolder, trainCount, 3 * s.Epochs, 2e-3f, null, null, output)), split, heldOut, output),
                Run(ml, "fine-tuned, head only", $"FineTuning.HeadOnly(); {s.HeadEpochs} epochs, AdamW 1e-2 one-cycle, batch 16",
                    Prefix(ml, imageFolder).Append(Network(ml, imageFolder, trainCount, s.HeadEpochs, 1e-2f, weights, FineTuning.HeadOnly(), output)), split, heldOut, output),
                Run(ml, "fine-tuned, all layers, backbone at 1x", $"FineTuning.AllLayers(1); {s.Epochs} epochs, AdamW 2e-3 one-cycle, batch 16",
                    Prefix(ml, imageFolder).Append(Network(ml, imageFolder, trainCount, s.Epochs, 2e-3f, weights, FineTuning.AllLayers(1), output)), split, heldOut, output),
                Run(ml, "fine-tuned, all layers, backbone at 0.1x", $"FineTuning.AllLayers() (the default); {s.Epochs} epochs, AdamW 2e-3 one-cycle, batch 16",
                    Prefix(ml, imageFolder).Append(Network(ml, imageFolder, trainCount, s.Epochs, 2e-3f, weights, FineTuning.AllLayers(), output)), split, heldOut, output),
            };

            output.WriteLine();
            output.WriteLine($"| model | recipe | Fit wall s | Fit CPU s | MicroAccuracy, {testCount} test images | MicroAccuracy, {heldOutRows.Count} Fashion-MNIST test images |");
            output.WriteLine("|---|---|---:|---:|---:|---:|");
            foreach (var r in pretraining is null ? rows : [pretraining, .. rows])
                output.WriteLine(string.Create(inv,
                    $"| {r.Name} | {r.Recipe} | {r.Wall.TotalSeconds:0.0} | {r.Cpu.TotalSeconds:0.0} | {(double.IsNaN(r.TestAccuracy) ? "-" : r.TestAccuracy.ToString("0.0000", inv))} | {(double.IsNaN(r.HeldOutAccuracy) ? "-" : r.HeldOutAccuracy.ToString("0.0000", inv))} |"));
            output.WriteLine();
            foreach (var (r, key) in rows.Zip(new[] { "lbfgs", "scratch", "scratch_3x", "head_only", "all_layers", "all_layers_backbone_0_1" }))
            {
                output.WriteLine(string.Create(inv, $"figure finetune_test_accuracy_{key} {r.TestAccuracy:0.0000}"));
                output.WriteLine(string.Create(inv, $"figure finetune_heldout_accuracy_{key} {r.HeldOutAccuracy:0.0000}"));
            }
            return new FineTuneDemoReport(pretraining, rows, trainCount, testCount, heldOutRows.Count);
        }
        finally
        {
            if (temporary) Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>Pretrains on the other classes' images through the same pipeline and saves the network as safetensors.</summary>
    private static (FineTuneDemoRow Row, string Weights) Pretrain(FineTuneDemoSettings s, string mnist, string[] classes, string work, TextWriter output)
    {
        var inv = CultureInfo.InvariantCulture;
        string folder = Path.Combine(work, "pretrain");
        var rows = PngFolder.Write(IdxDataset.LoadFolder(mnist, train: true), classes, s.PretrainPerClass, folder);
        output.WriteLine($"pretrain {rows.Count} Fashion-MNIST training images of the other classes ({string.Join(", ", classes)}), written as PNG to {folder}");
        var ml = new MLContext(seed: 2);
        var data = ml.Data.LoadFromEnumerable(rows);
        var trainer = ml.MulticlassClassification.Trainers.OctCifarResNet(new OctCifarResNetTrainer.Options
        {
            Depth = 20, Alpha = 0.5f, Epoch = s.PretrainEpochs, BatchSize = 64, Optimizer = OptimizerKind.AdamW, LearningRate = 2e-3f,
            WeightDecay = 0.05f, Schedule = Schedule(s.PretrainEpochs, (int)(rows.Count * 0.9), 64), ValidationSetFraction = 0.1f, ImageFolder = folder,
            MetricsCallback = m => { if (m.Train is { Kind: ProgressKind.EpochEnd } p) output.WriteLine("pretrain " + PlainProgress.EpochLine(p)); },
        });
        var (model, wall, cpu) = Timed(() => Prefix(ml, folder).Append(trainer).Fit(data));
        string weights = Path.Combine(work, "pretrained.safetensors");
        OctaveModelFile.SaveSafeTensors(OctaveModelFile.Read(ml, model), weights);
        double validation = trainer.LastTrainingReport!.Training.Last.ValidationAccuracy ?? double.NaN;
        output.WriteLine(string.Create(inv, $"pretrain saved {weights}: validation accuracy {validation:0.0000} on the other classes, Fit {wall.TotalSeconds:0.0} s wall, {cpu.TotalSeconds:0.0} s CPU"));
        return (new FineTuneDemoRow($"pretraining (other 5 classes, {rows.Count} images)",
            string.Create(inv, $"{s.PretrainEpochs} epochs, AdamW 2e-3 one-cycle, batch 64; validation accuracy {validation:0.0000}"), wall, cpu, double.NaN, double.NaN), weights);
    }

    /// <summary>MapValueToKey, LoadImages, ResizeImages(28, 28), ExtractPixels: the main job's preprocessing at 28 px.</summary>
    private static IEstimator<ITransformer> Prefix(MLContext ml, string folder) =>
        ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.LoadImages("Image", folder, "ImagePath"))
            .Append(ml.Transforms.ResizeImages("Image", Side, Side))
            .Append(ml.Transforms.ExtractPixels("Features", "Image"));

    /// <summary>The demonstration's OctCifarResNet-20 (alpha 0.5), from scratch or fine-tuned from <paramref name="weights"/>.</summary>
    private static OctCifarResNetTrainer Network(MLContext ml, string folder, int images, int epochs, float learningRate, string? weights, FineTuning? fineTune, TextWriter output) =>
        ml.MulticlassClassification.Trainers.OctCifarResNet(new OctCifarResNetTrainer.Options
        {
            Depth = 20, Alpha = 0.5f, Epoch = epochs, BatchSize = 16, Optimizer = OptimizerKind.AdamW, LearningRate = learningRate,
            Schedule = Schedule(epochs, images, 16), ImageFolder = folder, InitialWeights = weights, FineTune = fineTune,
            MetricsCallback = m =>
            {
                if (m.Train is { Kind: ProgressKind.EpochEnd } p && (p.Epoch + 1) % 5 == 0) output.WriteLine("         " + PlainProgress.EpochLine(p));
                else if (m.Message is { } note && (note.Contains("initial weights") || note.Contains("head only") || note.Contains("normalisation"))) output.WriteLine("note     " + note);
            },
        });

    /// <summary>One-cycle (as torch) needs both its phases to have length: a run of fewer than 4 steps gets cosine instead.</summary>
    private static ScheduleKind Schedule(int epochs, int images, int batchSize) =>
        (long)epochs * ((images + batchSize - 1) / batchSize) >= 4 ? ScheduleKind.OneCycle : ScheduleKind.Cosine;

    /// <summary>Fits <paramref name="estimator"/> on the split's training rows and scores the test rows and the held-out images with ML.NET's Evaluate.</summary>
    private static FineTuneDemoRow Run(MLContext ml, string name, string recipe, IEstimator<ITransformer> estimator,
        DataOperationsCatalog.TrainTestData split, IDataView heldOut, TextWriter output)
    {
        output.WriteLine($"run      {name}: {recipe}");
        var (model, wall, cpu) = Timed(() => estimator.Fit(split.TrainSet));
        double test = ml.MulticlassClassification.Evaluate(model.Transform(split.TestSet)).MicroAccuracy;
        double held = ml.MulticlassClassification.Evaluate(model.Transform(heldOut)).MicroAccuracy;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"result   {name}: Fit {wall.TotalSeconds:0.0} s wall, {cpu.TotalSeconds:0.0} s CPU; MicroAccuracy {test:0.0000} (test), {held:0.0000} (held out)"));
        return new FineTuneDemoRow(name, recipe, wall, cpu, test, held);
    }

    /// <summary>The result of <paramref name="fit"/>, its wall time and the CPU time the process spent meanwhile.</summary>
    private static (T Result, TimeSpan Wall, TimeSpan Cpu) Timed<T>(Func<T> fit)
    {
        var process = Process.GetCurrentProcess();
        var cpu = process.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        var result = fit();
        clock.Stop();
        process.Refresh();
        return (result, clock.Elapsed, process.TotalProcessorTime - cpu);
    }

    private static string CpuModel()
    {
        try
        {
            var lines = File.ReadLines("/proc/cpuinfo").ToList();
            string model = lines.FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown CPU";
            string flags = lines.FirstOrDefault(l => l.StartsWith("flags", StringComparison.Ordinal)) ?? "";
            return model + (flags.Contains(" avx512f", StringComparison.Ordinal) ? " (AVX-512)" : flags.Contains(" avx2", StringComparison.Ordinal) ? " (AVX2, no AVX-512)" : "");
        }
        catch (IOException) { return "unknown CPU"; }
    }
}
