using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;
using OctaveML.Interop;
using OctaveML.Models;
using OctaveML.Onnx;
using OctaveML.Ops;
using OctaveML.Tensors;
using OctaveML.Tests.Interop;
using OctaveML.Tests.Training;
using OctaveML.Training;

namespace OctaveML.Tests.MLNet;

/// <summary>
/// Fine-tuning in the ML.NET pipeline: InitialWeights (PyTorch state dicts written by python3-torch, and
/// OctaveML's own safetensors) and FineTune (head only, or all layers with a slower backbone and frozen or
/// moving batch-norm statistics), checked on the weights the fitted model scores with.
/// </summary>
public class FineTuneTests
{
    private const int Side = 28;

    /// <summary>The fashion PNGs as one grayscale channel at 28 px: the input the PyTorch fixtures were made for.</summary>
    private static IEstimator<ITransformer> Gray28(MLContext ml) =>
        ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.LoadImages("Image", MLNetImages.FashionFolder, "ImagePath"))
            .Append(ml.Transforms.ResizeImages("Image", Side, Side))
            .Append(ml.Transforms.ExtractPixels("Features", "Image", ImagePixelExtractingEstimator.ColorBits.Red));

    private static IDataView Prepared(MLContext ml, IEnumerable<ImageRow> rows)
    {
        var data = ml.Data.LoadFromEnumerable(rows);
        return Gray28(ml).Fit(data).Transform(data);
    }

    private sealed class FeatureRow
    {
        [VectorType(Side * Side)] public float[] Features { get; set; } = [];
        public uint Label { get; set; }
    }

    /// <summary>
    /// Mean cross-entropy of the network <paramref name="spec"/> started from <paramref name="weights"/> (as the
    /// trainer starts it: seed 0, then the file) in eval mode over every row, normalised as the trainer did.
    /// </summary>
    private static float LoadedNetworkLoss(MLContext ml, ModelSpec spec, string weights, IDataView data, TrainingReport report)
    {
        var model = spec.CreateModel(0);
        InitialWeights.Load(model, weights);
        model.Eval();
        var rows = ml.Data.CreateEnumerable<FeatureRow>(data, reuseRowObject: false).ToList();
        var images = new Tensor(rows.Count, 1, Side, Side);
        for (int i = 0; i < rows.Count; i++)
            for (int j = 0; j < Side * Side; j++)
                images.Data[i * Side * Side + j] = (rows[i].Features[j] - report.Mean[0]) / report.Std[0];
        int[] labels = rows.Select(r => (int)r.Label - 1).ToArray();
        var logits = model.Forward(images);
        return CrossEntropyKernel.ForwardBackward(rows.Count, spec.NumClasses, logits.Data, labels, Span<float>.Empty);
    }

    private static bool IsCounter(string name) => name.EndsWith(".num_batches_tracked", StringComparison.Ordinal);

    public static TheoryData<string, int> StartingPoints => new()
    {
        { "head-only", 3 },        // the file's head is for 10 classes: re-initialised
        { "head-only", 10 },       // the file's head fits: loaded
        { "all-layers-frozen-bn", 3 },
    };

    [Theory]
    [MemberData(nameof(StartingPoints))]
    public void The_first_batch_is_scored_by_the_loaded_network(string mode, int classes)
    {
        using var dir = new TempDir();
        string weights = PyTorchFiles.Extract("oct_resnet20_trained.pth", dir.Path);
        var ml = new MLContext(1);
        var rows = classes == 3
            ? MLNetImages.FashionRows(6)
            : MLNetImages.FashionRows(4, ["Bag", "Trouser", "Sneaker", "Ankle_boot", "T-shirt_top"]).Select((r, i) => new ImageRow { ImagePath = r.ImagePath, Label = $"c{i % 10}" }).ToList();
        var data = Prepared(ml, rows);
        double? firstLoss = null;
        var trainer = ml.MulticlassClassification.Trainers.OctCifarResNet(new OctCifarResNetTrainer.Options
        {
            Depth = 20, Alpha = 0.5f, Epoch = 1, BatchSize = rows.Count, // one batch: every image, before any step
            InitialWeights = weights,
            FineTune = mode == "head-only" ? FineTuning.HeadOnly() : FineTuning.AllLayers(freezeBatchNormStatistics: true),
            MetricsCallback = m => { if (m.Train is { Kind: ProgressKind.Batch, Epoch: 0, Batch: 0 } p) firstLoss = p.BatchLoss; },
        });

        var report = trainer.Train(data).Report;

        report.InitialWeights!.HeadReinitialized.Should().Be(classes != 10);
        report.InitialWeights.FileNumClasses.Should().Be(10);
        report.FineTune!.Mode.Should().Be(mode == "head-only" ? FineTuneMode.HeadOnly : FineTuneMode.AllLayers);
        firstLoss.Should().NotBeNull();
        float expected = LoadedNetworkLoss(ml, report.Spec, weights, data, report);
        firstLoss!.Value.Should().BeApproximately(expected, 1e-4 * Math.Max(1, expected),
            "the first batch's loss is the loaded network's in eval mode (head-only: ONNX Runtime's features; frozen batch norms: the engine's)");
    }

    [Fact]
    public void A_pytorch_OctResNet_state_dict_fine_tunes_head_only_in_an_MLNET_pipeline_and_the_saved_model_keeps_its_backbone_bit_for_bit()
    {
        using var dir = new TempDir();
        string weights = PyTorchFiles.Extract("oct_resnet26_half.pth", dir.Path);
        var file = PyTorchFiles.Read("oct_resnet26_half.pth");
        var ml = new MLContext(1);
        var data = ml.Data.LoadFromEnumerable(MLNetImages.FashionRows(8));
        var notes = new List<string>();
        var epochs = new List<TrainingProgress>();
        var options = new OctResNetTrainer.Options
        {
            Depth = 26, Alpha = 0.5f, Stem = ResNetStem.Small, Epoch = 3, BatchSize = 8, LearningRate = 0.05f, ValidationSetFraction = 0.25f,
            InitialWeights = weights, FineTune = FineTuning.HeadOnly(), ImageFolder = MLNetImages.FashionFolder,
            MetricsCallback = m => { if (m.Message is { } n) notes.Add(n); if (m.Train is { Kind: ProgressKind.EpochEnd } p) epochs.Add(p); },
        };
        var trainer = ml.MulticlassClassification.Trainers.OctResNet(options);
        var pipeline = Gray28(ml).Append(trainer).Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"));

        var model = pipeline.Fit(data);
        var metrics = ml.MulticlassClassification.Evaluate(model.Transform(data));
        string zip = Path.Combine(dir.Path, "model.zip");
        ml.Model.Save(model, data.Schema, zip);
        var saved = OctaveModelFile.Read(zip);

        var report = trainer.LastTrainingReport!;
        report.InitialWeights!.Format.Should().Be(WeightsFormat.PyTorchZip);
        report.Backend.Should().StartWith("head only: backbone features by ONNX Runtime, the classifier head (3 x 2048) on the managed engine");
        report.InitialWeights.HeadReinitialized.Should().BeTrue("the file's head is for 10 classes, the data has 3");
        report.InitialWeights.Loaded.Should().NotContain(["fc.weight", "fc.bias"]);
        epochs.Should().HaveCount(3).And.OnlyContain(e => e.ValidationAccuracy != null, "the head is validated after every epoch");
        notes.Should().Contain(n => n.Contains("initial weights from " + weights) && n.Contains("head is re-initialised"))
            .And.Contain(n => n.Contains("head only: the frozen backbone's 2048 features of each of 24 images computed once by ONNX Runtime"));
        saved.Spec.Should().Be(new OctResNetSpec { Depth = 26, Alpha = 0.5, Stem = ResNetStem.Small, NumClasses = 3, InChannels = 1 });
        var backbone = saved.Weights.Keys.Where(k => !TrainerOptions.IsHead(k) && !IsCounter(k)).ToList();
        backbone.Should().BeEquivalentTo(file.Keys.Where(k => !TrainerOptions.IsHead(k) && !IsCounter(k)));
        foreach (var name in backbone) saved.Weights[name].Data.Should().Equal(file[name].Data, $"{name} is scored as the file has it");
        var freshHead = report.Spec.CreateModel(0).StateDict()["fc.weight"];
        saved.Weights["fc.weight"].ShapeString.Should().Be("[3, 2048]");
        saved.Weights["fc.weight"].Data.Should().NotEqual(freshHead.Data, "the head learned");
        metrics.MicroAccuracy.Should().BeInRange(0, 1);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void All_layers_learn_and_batch_norm_statistics_stay_as_loaded_only_when_frozen(bool freeze)
    {
        using var dir = new TempDir();
        string weights = PyTorchFiles.Extract("oct_resnet20_trained.pth", dir.Path);
        var file = PyTorchFiles.Read("oct_resnet20_trained.pth");
        var ml = new MLContext(1);
        var data = Prepared(ml, MLNetImages.FashionRows(6));
        var trainer = ml.MulticlassClassification.Trainers.OctCifarResNet(new OctCifarResNetTrainer.Options
        {
            Depth = 20, Alpha = 0.5f, Epoch = 1, BatchSize = 6, LearningRate = 0.05f,
            InitialWeights = weights, FineTune = FineTuning.AllLayers(backboneLearningRateFactor: 0.1f, freezeBatchNormStatistics: freeze),
        });

        var saved = OctaveModelFile.Read(ml, trainer.Fit(data));

        var statistics = saved.Weights.Keys.Where(k => k.EndsWith(".running_mean", StringComparison.Ordinal) || k.EndsWith(".running_var", StringComparison.Ordinal)).ToList();
        statistics.Should().HaveCountGreaterThan(20);
        foreach (var name in statistics)
            if (freeze) saved.Weights[name].Data.Should().Equal(file[name].Data, $"{name} is frozen");
            else saved.Weights[name].Data.Should().NotEqual(file[name].Data, $"{name} follows the new batches");
        foreach (var name in new[] { "conv1.weight", "layer2.0.conv1.conv.conv_l2h.weight", "layer3.2.conv2.bn_h.weight" })
            saved.Weights[name].Data.Should().NotEqual(file[name].Data, $"{name} learns at a tenth of the rate");
    }

    [Fact]
    public void Weights_of_another_network_fail_Fit_listing_the_names_before_any_training()
    {
        using var dir = new TempDir();
        string weights = PyTorchFiles.Extract("oct_resnet20_trained.pth", dir.Path);
        var ml = new MLContext(1);
        var data = ml.Data.LoadFromEnumerable(MLNetImages.FashionRows(2));
        bool trained = false;
        var pipeline = Gray28(ml).Append(ml.MulticlassClassification.Trainers.OctCifarResNet(new OctCifarResNetTrainer.Options
        {
            Depth = 32, Alpha = 0.5f, Epoch = 1, InitialWeights = weights,
            MetricsCallback = m => trained |= m.Train is not null,
        }));

        var error = FluentActions.Invoking(() => pipeline.Fit(data)).Should().Throw<WeightsMismatchException>().Which;

        error.FileName.Should().Be(weights);
        error.Missing.Should().Contain(["layer1.3.conv1.conv.conv_h2h.weight", "layer3.4.conv2.bn_h.running_var"]);
        error.Unexpected.Should().BeEmpty();
        error.Message.Should().StartWith($"{weights} does not fit the OctCifarResNet: ").And.EndWith("nothing was loaded.");
        trained.Should().BeFalse();
    }

    [Fact]
    public void Fine_tuning_options_that_cannot_work_are_rejected_naming_the_option()
    {
        var trainers = new MLContext(1).MulticlassClassification.Trainers;
        using var dir = new TempDir();
        string weights = PyTorchFiles.Extract("oct_resnet20_trained.pth", dir.Path);
        string missing = Path.Combine(dir.Path, "nope", "pretrained.pth");

        FluentActions.Invoking(() => trainers.OctMobileNet(new OctMobileNetTrainer.Options { InitialWeights = missing }))
            .Should().Throw<FileNotFoundException>().Where(e => e.FileName == missing)
            .WithMessage($"OctMobileNetTrainer.Options.InitialWeights: there is no file {missing}.");
        FluentActions.Invoking(() => trainers.OctResNet(new OctResNetTrainer.Options { FineTune = FineTuning.HeadOnly() }))
            .Should().Throw<ArgumentException>().Where(e => e.ParamName == "FineTune")
            .WithMessage("OctResNetTrainer.Options.FineTune is head only (backbone frozen in eval mode), but InitialWeights is null*");
        FluentActions.Invoking(() => trainers.OctCifarResNet(new OctCifarResNetTrainer.Options
            { InitialWeights = weights, FineTune = FineTuning.HeadOnly(), Augmentation = new ImageAugmentation() }))
            .Should().Throw<ArgumentException>().Where(e => e.ParamName == "Augmentation")
            .WithMessage("*head only, which computes each image's features once*leave Augmentation null*");
        FluentActions.Invoking(() => FineTuning.AllLayers(0))
            .Should().Throw<ArgumentOutOfRangeException>().WithMessage("*must be in (0, 1]; to train the head alone use FineTuning.HeadOnly()*");
        FluentActions.Invoking(() => trainers.OctCifarResNet(new OctCifarResNetTrainer.Options { InitialWeights = " " }))
            .Should().Throw<ArgumentOutOfRangeException>().Where(e => e.ParamName == "InitialWeights");
    }

    [Fact]
    public void Weights_OctaveML_exported_bring_the_normalisation_they_were_trained_with_and_pytorch_ones_use_the_images()
    {
        using var dir = new TempDir();
        var ml = new MLContext(1);
        var pretrainData = Prepared(ml, MLNetImages.FashionRows(6, ["Bag", "Ankle_boot"]));
        var pretrained = ml.MulticlassClassification.Trainers.OctCifarResNet(new OctCifarResNetTrainer.Options { Depth = 8, Epoch = 1, BatchSize = 6 }).Fit(pretrainData);
        var exported = OctaveModelFile.Read(ml, pretrained);
        string safetensors = Path.Combine(dir.Path, "pretrained.safetensors");
        OctaveModelFile.SaveSafeTensors(exported, safetensors);
        var data = Prepared(ml, MLNetImages.FashionRows(6, first: 40));
        var notes = new List<string>();

        TrainingReport FineTune(string weights, int depth) => ml.MulticlassClassification.Trainers.OctCifarResNet(new OctCifarResNetTrainer.Options
        {
            Depth = depth, Epoch = 1, BatchSize = 6, InitialWeights = weights, FineTune = FineTuning.HeadOnly(),
            MetricsCallback = m => { if (m.Message is { } n) notes.Add(n); },
        }).Train(data).Report;

        var fromOctaveML = FineTune(safetensors, 8);
        var fromPyTorch = FineTune(PyTorchFiles.Extract("oct_resnet20_trained.pth", dir.Path), 20);

        fromOctaveML.InitialWeights!.Format.Should().Be(WeightsFormat.SafeTensors);
        fromOctaveML.Mean.Should().Equal(exported.Metadata.Mean);
        fromOctaveML.Std.Should().Equal(exported.Metadata.Std);
        notes.Should().Contain(n => n.Contains($"input normalisation from {safetensors}, which the weights were trained with"));
        float imageMean = ml.Data.CreateEnumerable<FeatureRow>(data, reuseRowObject: false).SelectMany(r => r.Features).Average();
        fromPyTorch.InitialWeights!.Metadata.Should().BeNull();
        fromPyTorch.Mean[0].Should().BeApproximately(imageMean, 1e-3f * imageMean, "a torch.save file has no normalisation: the images' own");
        exported.Metadata.Mean[0].Should().NotBeApproximately(imageMean, 1f, "the two image sets differ, so the test can tell them apart");
    }
}
