using OctaveML.Tensors;
using OctaveML.Training;

namespace OctaveML.Tests.Training;

public class TrainerTests
{
    private const int TrainCount = 256, ValCount = 128, BatchSize = 32; // 8 batches per epoch

    private static BlobSource TrainData(int epochPoison = -1, int batchPoison = -1) =>
        new(TrainCount, BatchSize, seed: 5) { PoisonAt = epochPoison < 0 ? null : (epochPoison, batchPoison) };

    private static BlobSource ValData(int labelShift = 0) => new(ValCount, 64, seed: 6, shuffle: false, labelShift: labelShift);

    private static SoftmaxRegression NewModel(ulong seed = 1) => new(BlobSource.C, BlobSource.H, BlobSource.W, BlobSource.Classes, seed);

    private static TrainerOptions Recipe(string? dir = null) => new()
    {
        Epochs = 3, LearningRate = 0.05, Momentum = 0.9, Nesterov = true, WeightDecay = 1e-3,
        Schedule = ScheduleKind.Cosine, WarmupEpochs = 0.5, LabelSmoothing = 0.1f, CheckpointDirectory = dir,
    };

    private static void ShouldBeBitIdentical(SoftmaxRegression actual, SoftmaxRegression expected)
    {
        var e = expected.StateDict();
        foreach (var (name, t) in actual.StateDict())
            t.Data.Should().Equal(e[name].Data, name);
    }

    [Fact]
    public void SeparableData_LossFalls_AndAccuracyPasses90Percent()
    {
        var model = NewModel();
        var reports = new List<TrainingProgress>();
        var result = new Trainer(Recipe() with { Epochs = 4 }).Fit(model, TrainData(), ValData(), new Callback<TrainingProgress>(reports.Add));

        result.StopReason.Should().Be(StopReason.Completed);
        result.Iterations.Should().Be(32);
        result.History.Should().HaveCount(4);
        result.History[^1].TrainLoss.Should().BeLessThan(result.History[0].TrainLoss * 0.7);
        result.Last.ValidationAccuracy.Should().BeGreaterThan(0.9);
        Trainer.Evaluate(model, ValData()).Accuracy.Should().Be(result.Last.ValidationAccuracy!.Value);
        model.Training.Should().BeFalse("Fit leaves the model in eval mode");

        reports.Count(r => r.Kind == ProgressKind.Batch).Should().Be(32);
        reports.Count(r => r.Kind == ProgressKind.EpochEnd).Should().Be(4);
        var last = reports.Last(r => r.Kind == ProgressKind.Batch);
        last.Should().Match<TrainingProgress>(r => r.Epoch == 3 && r.Batch == 7 && r.Iteration == 32 && r.ImagesPerSecond > 0 && r.Eta == TimeSpan.Zero);
        // The warm-up ramps the rate up over the first half epoch, then the cosine brings it down.
        var lrs = reports.Where(r => r.Kind == ProgressKind.Batch).Select(r => r.LearningRate).ToArray();
        lrs[0].Should().BeApproximately(0.05 * 0.01, 1e-12);
        lrs[4].Should().BeApproximately(0.05, 1e-12);
        lrs[31].Should().BeLessThan(0.001);
    }

    [Fact]
    public void SameSeed_GivesBitIdenticalWeightsAndMetrics()
    {
        var a = NewModel(); var b = NewModel();
        var ra = new Trainer(Recipe() with { Optimizer = OptimizerKind.AdamW, LearningRate = 0.01 }).Fit(a, TrainData(), ValData());
        var rb = new Trainer(Recipe() with { Optimizer = OptimizerKind.AdamW, LearningRate = 0.01 }).Fit(b, TrainData(), ValData());
        ShouldBeBitIdentical(a, b);
        rb.History.Should().Equal(ra.History);
    }

    [Fact]
    public void KilledMidEpoch_ResumesFromThePeriodicCheckpoint_BitIdentical()
    {
        using var d1 = new TempDir();
        using var d2 = new TempDir();
        var straight = NewModel();
        var expected = new Trainer(Recipe(d1.Path)).Fit(straight, TrainData(), ValData());

        // A "kill": the process dies at iteration 13 (mid epoch 1) without writing anything more.
        var options = Recipe(d2.Path) with { CheckpointEveryIterations = 5 };
        var crash = new Callback<TrainingProgress>(p => { if (p.Iteration == 13) throw new TimeoutException("killed"); });
        FluentActions.Invoking(() => new Trainer(options).Fit(NewModel(), TrainData(), ValData(), crash)).Should().Throw<TimeoutException>();
        Checkpoint.Load(Checkpoint.PathIn(d2.Path)).State.Should().Match<TrainingState>(s => s.Iteration == 10 && s.Epoch == 1 && s.Batch == 2);

        // A new process: another initialisation, the same options; the checkpoint decides everything.
        var resumed = NewModel(seed: 77);
        var actual = new Trainer(options).Fit(resumed, TrainData(), ValData());
        ShouldBeBitIdentical(resumed, straight);
        actual.History.Should().Equal(expected.History);
        actual.Iterations.Should().Be(24);

        // Fitting again on the finished checkpoint trains nothing and returns the same result.
        var data = TrainData();
        var again = NewModel(seed: 3);
        new Trainer(options).Fit(again, data, ValData()).History.Should().Equal(expected.History);
        data.EpochsStarted.Should().Be(0);
        ShouldBeBitIdentical(again, straight);
    }

    [Fact]
    public void Cancellation_StopsWithinOneBatch_CheckpointsThere_AndResumesBitIdentical()
    {
        using var d1 = new TempDir();
        using var d2 = new TempDir();
        var straight = NewModel();
        var expected = new Trainer(Recipe(d1.Path)).Fit(straight, TrainData(), ValData());

        using var cts = new CancellationTokenSource();
        long lastIteration = 0;
        var model = NewModel();
        var progress = new Callback<TrainingProgress>(p =>
        {
            if (p.Kind != ProgressKind.Batch) return;
            lastIteration = p.Iteration;
            if (p.Iteration == 11) cts.Cancel();
        });
        FluentActions.Invoking(() => new Trainer(Recipe(d2.Path)).Fit(model, TrainData(), ValData(), progress, cts.Token))
            .Should().Throw<OperationCanceledException>();
        lastIteration.Should().Be(11, "no batch starts after the cancellation");
        Checkpoint.Load(Checkpoint.PathIn(d2.Path)).State.Should().Match<TrainingState>(s => s.Iteration == 11 && s.Epoch == 1 && s.Batch == 3);
        // The model is usable as it stands.
        model.Training.Should().BeFalse();
        Trainer.Evaluate(model, ValData()).Loss.Should().BeInRange(0, 10);

        var resumed = new Trainer(Recipe(d2.Path)).Fit(model, TrainData(), ValData());
        ShouldBeBitIdentical(model, straight);
        resumed.History.Should().Equal(expected.History);
    }

    [Fact]
    public void ALastBatchOfOneImageAt1x1Maps_IsRefusedNamingTheBatchAndTheRemedy()
    {
        // 5 images in batches of 2: the last batch has one 4x4 image, which OctResNet-20 shrinks to 1x1.
        var model = new OctaveML.Models.OctCifarResNet(20, BlobSource.Classes, 0.5, inChannels: BlobSource.C);
        var trainer = new Trainer(Recipe() with { Epochs = 1 });
        FluentActions.Invoking(() => trainer.Fit(model, new BlobSource(5, 2, seed: 1)))
            .Should().Throw<ArgumentException>().WithParameterName("train")
            .WithMessage("epoch 0, batch 2: a training batch of 1 image(s) of [1, 1, 4, 4]*1x1 feature map*last batch of one image*")
            .WithInnerException<OctaveML.Nn.BatchTooSmallException>();
    }

    [Fact]
    public void NonFiniteLoss_ThrowsNamingTheStep_AndKeepsTheLastGoodCheckpoint()
    {
        using var dir = new TempDir();
        var model = NewModel();
        var e = FluentActions.Invoking(() => new Trainer(Recipe(dir.Path)).Fit(model, TrainData(epochPoison: 1, batchPoison: 2), ValData()))
            .Should().Throw<TrainingDivergedException>().Which;
        e.Epoch.Should().Be(1);
        e.Batch.Should().Be(2);
        e.Iteration.Should().Be(10);
        double.IsNaN(e.Loss).Should().BeTrue();
        e.LastCheckpoint.Should().Be(Checkpoint.PathIn(dir.Path));
        e.Message.Should().Contain("epoch 1, batch 2").And.Contain(Checkpoint.PathIn(dir.Path));
        var ck = Checkpoint.Load(e.LastCheckpoint!);
        ck.State.Should().Match<TrainingState>(s => s.Epoch == 1 && s.Batch == 0 && s.Iteration == 8 && !s.Completed);
        ck.Model["weight"].Data.Should().OnlyContain(x => float.IsFinite(x));
    }

    [Fact]
    public void NonFiniteWeights_AreNeverCheckpointed()
    {
        // A finite loss with a NaN gradient: the weights go bad at step 6 (call 5); the check before
        // the checkpoint at iteration 6 stops the run, and the checkpoint of iteration 4 stays.
        using var dir = new TempDir();
        var model = new SoftmaxRegression(BlobSource.C, BlobSource.H, BlobSource.W, BlobSource.Classes, 1) { PoisonGradientAtCall = 5 };
        var e = FluentActions.Invoking(() => new Trainer(Recipe(dir.Path) with { CheckpointEveryIterations = 2 }).Fit(model, TrainData()))
            .Should().Throw<TrainingDivergedException>().Which;
        e.Message.Should().Contain("'bias' holds NaN").And.Contain("epoch 0, batch 6 (iteration 6)");
        double.IsFinite(e.Loss).Should().BeTrue();
        var ck = Checkpoint.Load(e.LastCheckpoint!);
        ck.State.Iteration.Should().Be(4);
        ck.Model["bias"].Data.Should().OnlyContain(x => float.IsFinite(x));
    }

    [Fact]
    public void EarlyStopping_RunsOutOfPatience_AndRestoresTheBestWeights()
    {
        // Validation labels are shifted by one class: the better the model fits the training data, the
        // worse the validation loss, so the best epoch is the first and patience 2 stops after epoch 2.
        var options = new TrainerOptions
        {
            Epochs = 10, LearningRate = 0.05, Schedule = ScheduleKind.Constant,
            EarlyStopping = EarlyStoppingMetric.ValidationLoss, Patience = 2,
        };
        var model = NewModel();
        var result = new Trainer(options).Fit(model, TrainData(), ValData(labelShift: 1));
        result.StopReason.Should().Be(StopReason.EarlyStopped);
        result.History.Should().HaveCount(3);
        result.BestEpoch.Should().Be(0);
        result.BestMetric.Should().Be(result.History[0].ValidationLoss);

        // The weights after epoch 0 of the same run (a constant schedule does not depend on Epochs).
        var oneEpoch = NewModel();
        new Trainer(options with { Epochs = 1, EarlyStopping = EarlyStoppingMetric.None }).Fit(oneEpoch, TrainData(), ValData(labelShift: 1));
        ShouldBeBitIdentical(model, oneEpoch);
        Trainer.Evaluate(model, ValData(labelShift: 1)).Loss.Should().Be(result.History[0].ValidationLoss!.Value);
    }

    [Fact]
    public void Resume_WithOtherOptions_IsRefusedNamingTheDifference()
    {
        using var dir = new TempDir();
        new Trainer(Recipe(dir.Path) with { Epochs = 1 }).Fit(NewModel(), TrainData());
        FluentActions.Invoking(() => new Trainer(Recipe(dir.Path) with { Epochs = 1, LearningRate = 0.2 }).Fit(NewModel(), TrainData()))
            .Should().Throw<InvalidOperationException>().WithMessage("*LearningRate: 0.05 then, 0.2 now*");
        // Resume = false starts over and replaces the checkpoint.
        new Trainer(Recipe(dir.Path) with { Epochs = 1, LearningRate = 0.2, Resume = false }).Fit(NewModel(), TrainData())
            .Iterations.Should().Be(8);
    }

    [Fact]
    public void DamagedCheckpoint_StopsResumeWithTheFileName_AndALeftoverTempFileDoesNot()
    {
        using var dir = new TempDir();
        var options = Recipe(dir.Path) with { Epochs = 1 };
        new Trainer(options).Fit(NewModel(), TrainData());
        string path = Checkpoint.PathIn(dir.Path);
        File.WriteAllBytes(path + ".deadbeefdeadbeefdeadbeefdeadbeef.tmp", new byte[100]); // a writer killed mid-write
        new Trainer(options).Fit(NewModel(), TrainData()).Iterations.Should().Be(8);

        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes.AsSpan(0, bytes.Length - 100).ToArray());
        FluentActions.Invoking(() => new Trainer(options).Fit(NewModel(), TrainData()))
            .Should().Throw<CheckpointFormatException>().Which.FileName.Should().Be(path);
    }

    [Fact]
    public void BadOptions_AreRejectedNamingTheOption()
    {
        FluentActions.Invoking(() => new Trainer(new TrainerOptions { Epochs = 0 })).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("Epochs");
        FluentActions.Invoking(() => new Trainer(new TrainerOptions { LabelSmoothing = 1 })).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("LabelSmoothing");
        FluentActions.Invoking(() => new Trainer(new TrainerOptions { CheckpointEveryIterations = 3 })).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("CheckpointEveryIterations");
        FluentActions.Invoking(() => new Trainer(new TrainerOptions { EarlyStopping = EarlyStoppingMetric.ValidationAccuracy }).Fit(NewModel(), TrainData()))
            .Should().Throw<ArgumentException>().WithParameterName("validation");
    }
}
