using OctaveML.Ops;
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

    /// <summary>
    /// The reference: the trainer's loop written out with the same optimizer and schedule. Per batch the
    /// scheduled rate, forward, smoothed cross-entropy, backward, step; the epoch's mean loss; then the
    /// top-1 accuracy on the validation data, counted here.
    /// </summary>
    private static (SoftmaxRegression Model, double[] TrainLoss, double ValidationAccuracy) PlainLoop(TrainerOptions options)
    {
        var model = NewModel();
        var optimizer = options.CreateOptimizer(model);
        var source = TrainData();
        var schedule = options.CreateSchedule(source.BatchesPerEpoch);
        var trainLoss = new double[options.Epochs];
        long iteration = 0;
        for (int epoch = 0; epoch < options.Epochs; epoch++)
        {
            double sum = 0;
            int seen = 0;
            foreach (var (images, labels) in source.GetEpoch(epoch, 0, CancellationToken.None))
            {
                optimizer.LearningRate = schedule.LearningRate(iteration++);
                model.Train();
                optimizer.ZeroGrad();
                var logits = model.Forward(images);
                var grad = new float[logits.Length];
                float loss = CrossEntropyKernel.ForwardBackward(labels.Length, BlobSource.Classes, logits.Data, labels, grad, labelSmoothing: options.LabelSmoothing);
                model.Backward(new Tensor(grad, labels.Length, BlobSource.Classes));
                optimizer.Step();
                sum += (double)loss * labels.Length;
                seen += labels.Length;
            }
            trainLoss[epoch] = sum / seen;
        }
        model.Eval();
        int correct = 0, total = 0;
        foreach (var (images, labels) in ValData().GetEpoch(0, 0, CancellationToken.None))
        {
            var logits = model.Forward(images);
            for (int i = 0; i < labels.Length; i++)
            {
                var row = logits.Data.AsSpan(i * BlobSource.Classes, BlobSource.Classes);
                int best = 0;
                for (int k = 1; k < row.Length; k++) if (row[k] > row[best]) best = k;
                if (best == labels[i]) correct++;
            }
            total += labels.Length;
        }
        return (model, trainLoss, (double)correct / total);
    }

    [Fact]
    public void Fit_runs_the_plain_training_loop_and_learns_separable_data()
    {
        var model = NewModel();
        var reports = new List<TrainingProgress>();
        var options = Recipe() with { Epochs = 4 };
        var result = new Trainer(options).Fit(model, TrainData(), ValData(), new Callback<TrainingProgress>(reports.Add));

        result.StopReason.Should().Be(StopReason.Completed);
        result.Iterations.Should().Be(32);
        result.History.Should().HaveCount(4);
        var (reference, trainLoss, validationAccuracy) = PlainLoop(options);
        ShouldBeBitIdentical(model, reference);
        result.History.Select(e => e.TrainLoss).Should().Equal(trainLoss);
        result.Last.ValidationAccuracy.Should().Be(validationAccuracy);
        validationAccuracy.Should().BeGreaterThan(0.9, "the blobs are linearly separable with a margin");
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
    public void Same_seed_gives_bit_identical_weights_and_metrics()
    {
        var a = NewModel(); var b = NewModel();
        var ra = new Trainer(Recipe() with { Optimizer = OptimizerKind.AdamW, LearningRate = 0.01 }).Fit(a, TrainData(), ValData());
        var rb = new Trainer(Recipe() with { Optimizer = OptimizerKind.AdamW, LearningRate = 0.01 }).Fit(b, TrainData(), ValData());
        ShouldBeBitIdentical(a, b);
        rb.History.Should().Equal(ra.History);
    }

    [Fact]
    public void Killed_mid_epoch_resumes_from_the_periodic_checkpoint_bit_identical()
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
    public void Cancellation_stops_within_one_batch_checkpoints_there_and_resumes_bit_identical()
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
        // The model is usable as it stands: it is the checkpointed one.
        model.Training.Should().BeFalse();
        var checkpointed = NewModel(seed: 4);
        checkpointed.LoadStateDict(Checkpoint.Load(Checkpoint.PathIn(d2.Path)).Model);
        Trainer.Evaluate(model, ValData()).Should().Be(Trainer.Evaluate(checkpointed, ValData()));

        var resumed = new Trainer(Recipe(d2.Path)).Fit(model, TrainData(), ValData());
        ShouldBeBitIdentical(model, straight);
        resumed.History.Should().Equal(expected.History);
    }

    [Fact]
    public void A_last_batch_of_one_image_at_1x1_maps_is_refused_naming_the_batch_and_the_remedy()
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
    public void Non_finite_loss_throws_naming_the_step_and_keeps_the_last_good_checkpoint()
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
    public void Non_finite_weights_are_never_checkpointed()
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
    public void Early_stopping_runs_out_of_patience_and_restores_the_best_weights()
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
    public void Resume_with_other_options_is_refused_naming_the_difference()
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
    public void Damaged_checkpoint_stops_resume_with_the_file_name_and_a_leftover_temp_file_does_not()
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
    public void Bad_options_are_rejected_naming_the_option()
    {
        FluentActions.Invoking(() => new Trainer(new TrainerOptions { Epochs = 0 })).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("Epochs");
        FluentActions.Invoking(() => new Trainer(new TrainerOptions { LabelSmoothing = 1 })).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("LabelSmoothing");
        FluentActions.Invoking(() => new Trainer(new TrainerOptions { CheckpointEveryIterations = 3 })).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("CheckpointEveryIterations");
        FluentActions.Invoking(() => new Trainer(new TrainerOptions { EarlyStopping = EarlyStoppingMetric.ValidationAccuracy }).Fit(NewModel(), TrainData()))
            .Should().Throw<ArgumentException>().WithParameterName("validation");
    }
}
