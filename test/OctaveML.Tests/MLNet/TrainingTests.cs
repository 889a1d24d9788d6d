using Microsoft.ML;
using OctaveML.Models;
using OctaveML.Training;

namespace OctaveML.Tests.MLNet;

public class TrainingTests
{
    private static readonly MLContext Ml = new(1);

    /// <summary>Fashion images 0..perClass-1 of three classes at 12 px, and held-out ones from image 40 on, through the same fitted preprocessing.</summary>
    private static (IDataView Train, IDataView Held) Data(int perClass = 8, int held = 4)
    {
        var train = Ml.Data.LoadFromEnumerable(MLNetImages.FashionRows(perClass));
        var prep = MLNetImages.Preprocessing(Ml, MLNetImages.FashionFolder, 12).Fit(train);
        return (prep.Transform(train), prep.Transform(Ml.Data.LoadFromEnumerable(MLNetImages.FashionRows(held, first: 40))));
    }

    private static OctCifarResNetTrainer Trainer(OctCifarResNetTrainer.Options options) => Ml.MulticlassClassification.Trainers.OctCifarResNet(options);

    [Fact]
    public void Each_trainer_builds_the_network_its_options_describe_for_the_data()
    {
        var ml = new MLContext(1);
        var rows = MLNetImages.FashionRows(2);
        var data = MLNetImages.Prepared(ml, rows, MLNetImages.FashionFolder, 32);
        var gray = ml.Transforms.ExtractPixels("Gray", "Image", Microsoft.ML.Transforms.Image.ImagePixelExtractingEstimator.ColorBits.Red).Fit(data).Transform(data);
        var trainers = ml.MulticlassClassification.Trainers;

        var resnet = trainers.OctResNet(new OctResNetTrainer.Options { Depth = 26, Alpha = 0.25f, Stem = ResNetStem.Small, Epoch = 1, BatchSize = 6 }).Train(data).Report;
        var mobile = trainers.OctMobileNet(new OctMobileNetTrainer.Options { Alpha = 0, WidthMultiplier = 0.25f, Epoch = 1, BatchSize = 6, FeatureColumnName = "Gray" }).Train(gray).Report;

        resnet.Spec.Should().Be(new OctResNetSpec { Depth = 26, Alpha = 0.25, Stem = ResNetStem.Small, NumClasses = 3, InChannels = 3 });
        mobile.Spec.Should().Be(new OctMobileNetSpec { Alpha = 0, WidthMultiplier = 0.25, NumClasses = 3, InChannels = 1 });
        (resnet.Training.Iterations, mobile.Training.Iterations).Should().Be((1, 1));
    }

    [Fact]
    public void A_ValidationSet_is_read_the_same_way_and_validated_after_every_epoch()
    {
        var (train, held) = Data();
        var epochEnds = new List<TrainingProgress>();
        var notes = new List<string>();
        var trainer = Trainer(new OctCifarResNetTrainer.Options
        {
            Epoch = 2, BatchSize = 8, ValidationSet = held, ImageFolder = MLNetImages.FashionFolder,
            MetricsCallback = m => { if (m.Train is { Kind: ProgressKind.EpochEnd } p) epochEnds.Add(p); if (m.Message is { } s) notes.Add(s); },
        });

        var report = trainer.Train(train).Report;

        (report.TrainingImages, report.ValidationImages, report.CheckedImageFiles).Should().Be((24, 12, 36));
        report.Training.History.Should().HaveCount(2).And.OnlyContain(e => e.ValidationAccuracy != null && e.ValidationLoss != null);
        epochEnds.Select(p => p.ValidationAccuracy).Should().Equal(report.Training.History.Select(h => h.ValidationAccuracy));
        notes.Should().Contain(n => n.StartsWith("read 24 images [3, 12, 12] of the training data, cached as bytes (10,368 bytes); 24 image files checked"))
            .And.Contain(n => n.StartsWith("read 12 images [3, 12, 12] of the ValidationSet"));
        trainer.LastTrainingReport.Should().BeSameAs(report);
    }

    [Fact]
    public void ValidationSetFraction_holds_out_a_stratified_share_of_the_training_rows()
    {
        var (train, _) = Data();

        var report = Trainer(new OctCifarResNetTrainer.Options { Epoch = 1, BatchSize = 9, ValidationSetFraction = 0.25f, Seed = 4 }).Train(train).Report;

        (report.TrainingImages, report.ValidationImages).Should().Be((18, 6), "2 of each class's 8 images are held out");
        report.Training.Last.ValidationAccuracy.Should().NotBeNull();
    }

    [Fact]
    public void A_ValidationSetFraction_that_leaves_no_validation_images_is_rejected_naming_it()
    {
        var (train, _) = Data();

        var act = () => Trainer(new OctCifarResNetTrainer.Options { Epoch = 1, ValidationSetFraction = 0.01f }).Train(train);

        act.Should().Throw<ArgumentOutOfRangeException>().Where(e => e.ParamName == "ValidationSetFraction")
            .WithMessage("OctCifarResNetTrainer.Options.ValidationSetFraction = 0.01 of 24 images leaves 24 to train on and 0 to validate on*");
    }

    [Fact]
    public void EarlyStoppingCriteria_ends_training_when_the_validation_metric_stops_improving()
    {
        var (train, held) = Data();
        var options = new OctCifarResNetTrainer.Options
        {
            Epoch = 6, BatchSize = 12, ValidationSet = held,
            EarlyStoppingCriteria = new EarlyStopping(minDelta: 100, patience: 2, EarlyStoppingMetric.ValidationLoss),
        };

        var result = Trainer(options).Train(train).Report.Training;

        result.StopReason.Should().Be(StopReason.EarlyStopped, "no epoch can lower the loss by 100");
        result.History.Should().HaveCount(3, "epoch 0 sets the best loss, then two epochs without improvement use up the patience");
        result.BestEpoch.Should().Be(0);
    }

    [Fact]
    public void Cancelling_stops_Fit_within_a_batch_with_OperationCanceledException()
    {
        var (train, _) = Data();
        using var cts = new CancellationTokenSource();
        int batchesAfterCancel = 0;
        var options = new OctCifarResNetTrainer.Options
        {
            Epoch = 50, BatchSize = 4, CancellationToken = cts.Token,
            MetricsCallback = m =>
            {
                if (m.Train is not { Kind: ProgressKind.Batch }) return;
                if (cts.IsCancellationRequested) batchesAfterCancel++;
                cts.Cancel();
            },
        };

        var act = () => Trainer(options).Fit(train);

        act.Should().Throw<OperationCanceledException>();
        batchesAfterCancel.Should().Be(0);
    }

    [Fact]
    public void A_cancelled_token_stops_Fit_while_the_data_is_read()
    {
        var (train, _) = Data();
        var progress = new List<ImageClassificationMetric>();

        var act = () => Trainer(new OctCifarResNetTrainer.Options { CancellationToken = new CancellationToken(true), MetricsCallback = progress.Add }).Fit(train);

        act.Should().Throw<OperationCanceledException>();
        progress.Should().BeEmpty();
    }

    [Fact]
    public void Augmentation_and_random_erasing_change_what_the_network_sees_and_a_checkpoint_directory_gets_a_checkpoint()
    {
        var (train, _) = Data();
        using var folder = new ScratchFolder();
        OctCifarResNetTrainer.Options Options(ImageAugmentation? a, string? checkpoints = null) =>
            new() { Epoch = 1, BatchSize = 8, Optimizer = OptimizerKind.AdamW, Augmentation = a, CheckpointDirectory = checkpoints };

        var plain = Trainer(Options(null, folder.Path)).Train(train).Report.Training.Last;
        var augmented = Trainer(Options(new ImageAugmentation { CropPadding = 3, HorizontalFlip = true })).Train(train).Report.Training.Last;
        var erased = Trainer(Options(new ImageAugmentation { CropPadding = 0, HorizontalFlip = false, ErasingProbability = 1 })).Train(train).Report.Training.Last;

        augmented.TrainLoss.Should().NotBe(plain.TrainLoss);
        erased.TrainLoss.Should().NotBe(plain.TrainLoss).And.NotBe(augmented.TrainLoss);
        File.Exists(Checkpoint.PathIn(folder.Path)).Should().BeTrue();
        var tooWide = () => Trainer(Options(new ImageAugmentation { CropPadding = 13 })).Train(train);
        tooWide.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*Options.Augmentation.CropPadding is 13; it can be at most the images' smaller side (12 for [3, 12, 12])*");
    }
}

[Collection("Parallelism")]
public class TrainingSeedTests
{
    [Fact]
    public void Equal_seeds_give_equal_training_and_another_seed_differs()
    {
        var ml = new MLContext(1);
        var data = MLNetImages.Prepared(ml, MLNetImages.FashionRows(6), MLNetImages.FashionFolder, 12);
        TrainingResult Run(int seed) => ml.MulticlassClassification.Trainers.OctCifarResNet(new OctCifarResNetTrainer.Options
        {
            Epoch = 2, BatchSize = 6, Seed = seed, ValidationSetFraction = 0.34f, Augmentation = new ImageAugmentation(),
        }).Train(data).Report.Training;

        var a = Run(7);
        var b = Run(7);
        var c = Run(8);

        b.History.Should().Equal(a.History);
        c.History.Should().NotEqual(a.History);
    }
}
