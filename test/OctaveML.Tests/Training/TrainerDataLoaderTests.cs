using OctaveML.Data;
using OctaveML.Data.Augmentations;
using OctaveML.Tensors;
using OctaveML.Training;

namespace OctaveML.Tests.Training;

/// <summary>The trainer over the real DataLoader (shuffle, prefetch thread, augmentation).</summary>
public class TrainerDataLoaderTests
{
    private const int Classes = 4;

    private static InMemoryImageDataset Blobs(int count, ulong seed)
    {
        var protoRng = new Rng(42);
        var protos = Enumerable.Range(0, Classes).Select(_ => { var p = new float[36]; protoRng.FillNormal(p, 0, 1.5f); return p; }).ToArray();
        var rng = new Rng(seed);
        var pixels = new byte[count * 36];
        var labels = new int[count];
        for (int i = 0; i < count; i++)
        {
            labels[i] = i % Classes;
            for (int j = 0; j < 36; j++)
                pixels[i * 36 + j] = (byte)Math.Clamp(128 + 40 * (protos[labels[i]][j] + 0.5 * rng.NextGaussian()), 0, 255);
        }
        return new InMemoryImageDataset(pixels, labels, 1, 6, 6, ["a", "b", "c", "d"]);
    }

    private static DataLoader TrainLoader() => new(Blobs(200, 1), new DataLoaderOptions
    {
        BatchSize = 25, Seed = 11, PrefetchBatches = 2,
        Transform = new Compose(new RandomHorizontalFlip(0.5, seed: 3), new Normalize([0.5f], [0.25f])),
    });

    private static DataLoader ValLoader() => new(Blobs(100, 2), new DataLoaderOptions
    {
        BatchSize = 50, Shuffle = false, PrefetchBatches = 0, Transform = new Normalize([0.5f], [0.25f]),
    });

    private static TrainerOptions Options(string dir) => new()
    {
        Epochs = 3, LearningRate = 0.05, Optimizer = OptimizerKind.AdamW, WeightDecay = 0.01, Schedule = ScheduleKind.OneCycle,
        CheckpointDirectory = dir, CheckpointEveryIterations = 3, EarlyStopping = EarlyStoppingMetric.ValidationAccuracy, Patience = 5,
    };

    private static OctaveML.Models.ImageClassifier Model(string kind, int seed) => kind switch
    {
        "softmax" => new SoftmaxRegression(1, 6, 6, Classes, (ulong)seed),
        _ => new TinyConvNet(1, Classes, seed),
    };

    [Theory]
    [InlineData("softmax")]
    [InlineData("convnet")]
    public void Crash_and_resume_through_the_data_loader_is_bit_identical(string kind)
    {
        using var d1 = new TempDir();
        using var d2 = new TempDir();
        var straight = Model(kind, 1);
        using (var train = TrainLoader()) using (var val = ValLoader())
        {
            var r = new Trainer(Options(d1.Path)).Fit(straight, train, val);
            r.Iterations.Should().Be(24);
            // Early stopping on validation accuracy restores the best epoch's weights: they score its accuracy.
            Trainer.Evaluate(straight, val).Accuracy.Should().Be(r.BestMetric!.Value);
            r.BestMetric.Should().Be(r.History.Max(e => e.ValidationAccuracy));
        }

        var crash = new Callback<TrainingProgress>(p => { if (p.Iteration == 13) throw new TimeoutException("killed"); });
        using (var train = TrainLoader()) using (var val = ValLoader())
            FluentActions.Invoking(() => new Trainer(Options(d2.Path)).Fit(Model(kind, 1), train, val, crash))
                .Should().Throw<TimeoutException>();

        if (kind == "convnet")
            Checkpoint.Load(Checkpoint.PathIn(d2.Path)).Model.Keys.Should().Contain(["bn1.running_mean", "bn1.running_var", "bn1.num_batches_tracked", "fc.weight"]);
        var resumed = Model(kind, 9);
        using (var train = TrainLoader()) using (var val = ValLoader())
            new Trainer(Options(d2.Path)).Fit(resumed, train, val);
        var expected = straight.StateDict();
        foreach (var (name, t) in resumed.StateDict()) t.Data.Should().Equal(expected[name].Data, name);
    }

    [Fact]
    public void Starting_mid_epoch_yields_the_batches_the_full_epoch_would()
    {
        using var loader = TrainLoader();
        var source = new DataLoaderSource(loader);
        var full = source.GetEpoch(2, 0, default).ToList();
        var tail = source.GetEpoch(2, 5, default).ToList();
        full.Should().HaveCount(8);
        tail.Should().HaveCount(3);
        for (int i = 0; i < 3; i++)
        {
            tail[i].Labels.Should().Equal(full[5 + i].Labels);
            tail[i].Images.Data.Should().Equal(full[5 + i].Images.Data);
        }
    }

    [Fact]
    public void Resume_with_another_data_seed_is_refused()
    {
        using var dir = new TempDir();
        var options = Options(dir.Path) with { Epochs = 1, EarlyStopping = EarlyStoppingMetric.None };
        using (var train = TrainLoader())
            new Trainer(options).Fit(new SoftmaxRegression(1, 6, 6, Classes, 1), train);
        using var other = new DataLoader(Blobs(200, 1), new DataLoaderOptions { BatchSize = 25, Seed = 12 });
        FluentActions.Invoking(() => new Trainer(options).Fit(new SoftmaxRegression(1, 6, 6, Classes, 1), other))
            .Should().Throw<InvalidOperationException>().WithMessage("*data seed 11*12*");
    }
}
