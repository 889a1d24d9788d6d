using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;
using OctaveML.Interop;
using OctaveML.Models;
using OctaveML.Ops;
using OctaveML.Training;
using OctaveTensor = OctaveML.Tensors.Tensor;

namespace OctaveML.TorchSharp.Tests;

/// <summary>
/// Fine-tuning on libtorch: the session honours a slower or frozen backbone and frozen batch-norm
/// statistics as the managed engine does, and an ML.NET pipeline with InitialWeights trains the loaded
/// weights there.
/// </summary>
public class FineTuneTests
{
    private static readonly TorchSharpBackend Torch = new(threads: 2);
    private static readonly ManagedBackend Managed = new(threads: 2);
    private static readonly OctCifarResNetSpec Spec = Fixtures.CifarResNet20;

    private static TrainerOptions PlainSgd(double backboneFactor, bool freezeBatchNorm, double momentum = 0) => new()
    {
        Optimizer = OptimizerKind.Sgd, Momentum = momentum, WeightDecay = 0, Schedule = ScheduleKind.Constant,
        BackboneLearningRateFactor = backboneFactor, FreezeBatchNormStatistics = freezeBatchNorm,
    };

    /// <summary>Each state-dict entry's change after one step at <paramref name="lr"/> on a libtorch session from seed 5.</summary>
    private static Dictionary<string, float[]> TorchStep(TrainerOptions options, double lr, out float loss, out Dictionary<string, OctaveTensor> optimizerState)
    {
        using var t = Torch.CreateSession(Spec, options, seed: 5);
        var before = t.StateDict();
        var (images, labels) = Fixtures.Batch(Spec, 8, 17);
        loss = t.ForwardBackward(images, labels).Loss;
        t.Step(lr);
        optimizerState = t.OptimizerStateDict();
        return t.StateDict().ToDictionary(kv => kv.Key, kv => kv.Value.Data.Select((v, i) => v - before[kv.Key].Data[i]).ToArray());
    }

    [Fact]
    public void A_slower_backbone_and_frozen_batch_norms_step_on_libtorch_as_on_the_managed_engine()
    {
        var full = TorchStep(PlainSgd(1, freezeBatchNorm: true), 0.5, out float torchLoss, out _);
        var tenth = TorchStep(PlainSgd(0.1, freezeBatchNorm: true), 0.5, out _, out _);
        using var m = Managed.CreateSession(Spec, PlainSgd(0.1, freezeBatchNorm: true), seed: 5);
        var (images, labels) = Fixtures.Batch(Spec, 8, 17);
        float managedLoss = m.ForwardBackward(images, labels).Loss;

        torchLoss.Should().BeApproximately(managedLoss, 2e-6f * Math.Max(1, managedLoss), "both normalise with the running statistics");
        foreach (var (name, delta) in tenth)
        {
            if (name.Contains("running_") || name.EndsWith("num_batches_tracked", StringComparison.Ordinal))
            {
                delta.Should().OnlyContain(d => d == 0, $"{name} is frozen");
                continue;
            }
            double sumFull = full[name].Sum(d => Math.Abs((double)d)), sumTenth = delta.Sum(d => Math.Abs((double)d));
            sumFull.Should().BeGreaterThan(0, $"{name} learns");
            (sumTenth / sumFull).Should().BeApproximately(TrainerOptions.IsHead(name) ? 1 : 0.1, 1e-3, name);
        }
    }

    [Fact]
    public void A_frozen_backbone_on_libtorch_keeps_its_weights_and_only_the_head_has_optimizer_state()
    {
        var delta = TorchStep(PlainSgd(0, freezeBatchNorm: true, momentum: 0.9), 0.5, out _, out var optimizerState);

        optimizerState.Keys.Should().BeEquivalentTo("fc.weight.momentum_buffer", "fc.bias.momentum_buffer");
        foreach (var (name, d) in delta)
            if (TrainerOptions.IsHead(name)) d.Should().Contain(x => x != 0, $"{name} learns");
            else d.Should().OnlyContain(x => x == 0, $"{name} is frozen");
    }

    private sealed class ImageRow
    {
        public string ImagePath { get; set; } = "";
        public string Label { get; set; } = "";
    }

    private sealed class FeatureRow
    {
        [VectorType(28 * 28)] public float[] Features { get; set; } = [];
        public uint Label { get; set; }
    }

    private static string FashionPng()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "data", "fashion-png");
            if (Directory.Exists(candidate)) return candidate;
        }
        throw new DirectoryNotFoundException($"data/fashion-png not found above {AppContext.BaseDirectory}.");
    }

    [Theory]
    [InlineData("all-layers")]
    [InlineData("head-only")]
    public void An_MLNET_pipeline_with_InitialWeights_trains_the_loaded_network_on_libtorch(string mode)
    {
        string folder = FashionPng();
        string weights = Path.Combine(Path.GetTempPath(), $"octaveml-finetune-{Guid.NewGuid():N}.safetensors");
        SafeTensors.Save(weights, Spec.CreateModel(seed: 7).StateDict()); // "pretrained": another seed's weights, for 10 classes
        try
        {
            var ml = new MLContext(1);
            var rows = new[] { "Bag", "Trouser", "Sneaker" }.SelectMany(c => Enumerable.Range(0, 4)
                .Select(i => new ImageRow { ImagePath = Path.Combine(c, $"{i}.png"), Label = c })).ToList();
            var raw = ml.Data.LoadFromEnumerable(rows);
            var data = ml.Transforms.Conversion.MapValueToKey("Label")
                .Append(ml.Transforms.LoadImages("Image", folder, "ImagePath"))
                .Append(ml.Transforms.ResizeImages("Image", 28, 28))
                .Append(ml.Transforms.ExtractPixels("Features", "Image", ImagePixelExtractingEstimator.ColorBits.Red))
                .Fit(raw).Transform(raw);
            double? firstLoss = null;
            var notes = new List<string>();
            var trainer = ml.MulticlassClassification.Trainers.OctCifarResNet(new OctCifarResNetTrainer.Options
            {
                Depth = 20, Alpha = 0.5f, Epoch = 1, BatchSize = rows.Count, Backend = Torch, InitialWeights = weights,
                FineTune = mode == "head-only" ? FineTuning.HeadOnly() : FineTuning.AllLayers(freezeBatchNormStatistics: true),
                MetricsCallback = m =>
                {
                    if (m.Train is { Kind: ProgressKind.Batch, Epoch: 0, Batch: 0 } p) firstLoss = p.BatchLoss;
                    if (m.Message is { } n) notes.Add(n);
                },
            });

            trainer.Fit(data);
            var report = trainer.LastTrainingReport!;

            // The loaded network as the trainer starts it (seed 0, then the file: the head re-initialised for 3 classes), in eval mode.
            var model = report.Spec.CreateModel(0);
            InitialWeights.Load(model, weights).HeadReinitialized.Should().BeTrue();
            model.Eval();
            var features = ml.Data.CreateEnumerable<FeatureRow>(data, reuseRowObject: false).ToList();
            var images = new OctaveTensor(features.Count, 1, 28, 28);
            for (int i = 0; i < features.Count; i++)
                for (int j = 0; j < 28 * 28; j++)
                    images.Data[i * 28 * 28 + j] = (features[i].Features[j] - report.Mean[0]) / report.Std[0];
            float expected = CrossEntropyKernel.ForwardBackward(features.Count, 3, model.Forward(images).Data,
                features.Select(f => (int)f.Label - 1).ToArray(), Span<float>.Empty);
            firstLoss.Should().NotBeNull();
            firstLoss!.Value.Should().BeApproximately(expected, 1e-4 * Math.Max(1, expected), "the first batch is scored by the loaded weights");
            if (mode == "head-only")
                notes.Should().Contain(n => n.Contains("the head (3 x 64) trains on them on the managed engine (torchsharp (cpu) is not used: nothing else learns)."));
        }
        finally { File.Delete(weights); }
    }
}
