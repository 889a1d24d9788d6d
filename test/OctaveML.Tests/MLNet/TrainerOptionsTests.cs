using Microsoft.ML;
using OctaveML.Models;
using OctaveML.Training;

namespace OctaveML.Tests.MLNet;

public class TrainerOptionsTests
{
    private static readonly MLContext Ml = new(1);

    public static TheoryData<string, Action<OctCifarResNetTrainer.Options>> InvalidSharedOptions => new()
    {
        { "LabelColumnName", o => o.LabelColumnName = "" },
        { "FeatureColumnName", o => o.FeatureColumnName = " " },
        { "ScoreColumnName", o => o.ScoreColumnName = null! },
        { "PredictedLabelColumnName", o => o.PredictedLabelColumnName = "Score" },
        { "FeatureColumnName", o => o.FeatureColumnName = "Label" },
        { "Epoch", o => o.Epoch = 0 },
        { "BatchSize", o => o.BatchSize = 0 },
        { "LearningRate", o => o.LearningRate = 0 },
        { "LearningRate", o => o.LearningRate = float.NaN },
        { "WeightDecay", o => o.WeightDecay = -1e-4f },
        { "LabelSmoothing", o => o.LabelSmoothing = 1 },
        { "Optimizer", o => o.Optimizer = (OptimizerKind)7 },
        { "Schedule", o => o.Schedule = (ScheduleKind)7 },
        { "InvalidImages", o => o.InvalidImages = (InvalidImageHandling)2 },
        { "ValidationSetFraction", o => o.ValidationSetFraction = 0 },
        { "ValidationSetFraction", o => o.ValidationSetFraction = 1 },
        { "ValidationSetFraction", o => { o.ValidationSetFraction = 0.2f; o.ValidationSet = Ml.Data.LoadFromEnumerable(new[] { new ImageRow() }); } },
        { "EarlyStoppingCriteria", o => o.EarlyStoppingCriteria = new EarlyStopping() },
        { "Augmentation.CropPadding", o => o.Augmentation = new ImageAugmentation { CropPadding = -1 } },
        { "Augmentation.ErasingProbability", o => o.Augmentation = new ImageAugmentation { ErasingProbability = -0.1f } },
        { "Augmentation.ErasingProbability", o => o.Augmentation = new ImageAugmentation { ErasingProbability = 1.5f } },
        { "ImagePathColumnName", o => o.ImagePathColumnName = "" },
        { "ImageFolder", o => o.ImageFolder = "/no/such/folder/for/octaveml" },
        { "CheckpointDirectory", o => o.CheckpointDirectory = "" },
        { "Depth", o => o.Depth = 21 },
        { "Alpha", o => o.Alpha = 1 },
        { "Alpha", o => o.Alpha = float.NaN },
    };

    [Theory]
    [MemberData(nameof(InvalidSharedOptions))]
    public void Every_invalid_option_is_rejected_with_an_error_naming_it(string option, Action<OctCifarResNetTrainer.Options> set)
    {
        var options = new OctCifarResNetTrainer.Options();
        set(options);

        var act = () => Ml.MulticlassClassification.Trainers.OctCifarResNet(options);

        var e = act.Should().Throw<ArgumentException>().Which;
        e.ParamName.Should().Be(option);
        e.Message.Should().Contain($"OctCifarResNetTrainer.Options.{option}");
    }

    [Fact]
    public void The_OctResNet_options_are_validated_naming_them()
    {
        var trainers = Ml.MulticlassClassification.Trainers;
        ((Action)(() => trainers.OctResNet(new OctResNetTrainer.Options { Depth = 49 }))).Should().Throw<ArgumentOutOfRangeException>()
            .Which.Message.Should().Contain("OctResNetTrainer.Options.Depth is 49").And.Contain("26, 50, 101, 152, 200");
        ((Action)(() => trainers.OctResNet(new OctResNetTrainer.Options { Stem = (ResNetStem)5 }))).Should().Throw<ArgumentOutOfRangeException>()
            .Which.ParamName.Should().Be("Stem");
        ((Action)(() => trainers.OctResNet(alpha: -0.5f))).Should().Throw<ArgumentOutOfRangeException>()
            .Which.Message.Should().Contain("OctResNetTrainer.Options.Alpha");
    }

    [Fact]
    public void The_OctMobileNet_options_are_validated_naming_them()
    {
        var trainers = Ml.MulticlassClassification.Trainers;
        ((Action)(() => trainers.OctMobileNet(new OctMobileNetTrainer.Options { WidthMultiplier = 0 }))).Should().Throw<ArgumentOutOfRangeException>()
            .Which.Message.Should().Contain("OctMobileNetTrainer.Options.WidthMultiplier").And.Contain("(0, 4]");
        ((Action)(() => trainers.OctMobileNet(new OctMobileNetTrainer.Options { Alpha = 1.5f }))).Should().Throw<ArgumentOutOfRangeException>()
            .Which.ParamName.Should().Be("Alpha");
        ((Action)(() => trainers.OctMobileNet(batchSize: 0))).Should().Throw<ArgumentOutOfRangeException>()
            .Which.Message.Should().Contain("OctMobileNetTrainer.Options.BatchSize must be at least 1");
    }

    [Fact]
    public void A_null_options_object_is_rejected()
    {
        var act = () => Ml.MulticlassClassification.Trainers.OctMobileNet((OctMobileNetTrainer.Options)null!);
        act.Should().Throw<ArgumentNullException>().Which.ParamName.Should().Be("options");
    }

    [Fact]
    public void Options_changed_after_the_trainer_was_made_are_validated_again_by_Fit()
    {
        var options = new OctCifarResNetTrainer.Options();
        var trainer = Ml.MulticlassClassification.Trainers.OctCifarResNet(options);
        options.Epoch = -3;

        var act = () => trainer.Fit(Ml.Data.LoadFromEnumerable(new[] { new ImageRow() }));

        act.Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("Epoch");
    }

    [Fact]
    public void The_simple_catalog_overloads_set_the_options_they_name()
    {
        var trainers = Ml.MulticlassClassification.Trainers;
        var resnet = trainers.OctResNet("L", "F", depth: 26, alpha: 0.25f, epoch: 3, batchSize: 7).TrainingOptions;
        (resnet.LabelColumnName, resnet.FeatureColumnName, resnet.Depth, resnet.Alpha, resnet.Epoch, resnet.BatchSize)
            .Should().Be(("L", "F", 26, 0.25f, 3, 7));
        var cifar = trainers.OctCifarResNet(depth: 32, alpha: 0f, epoch: 2, batchSize: 5).TrainingOptions;
        (cifar.LabelColumnName, cifar.FeatureColumnName, cifar.Depth, cifar.Alpha, cifar.Epoch, cifar.BatchSize)
            .Should().Be(("Label", "Features", 32, 0f, 2, 5));
        var mobile = trainers.OctMobileNet(alpha: 0.125f, epoch: 4, batchSize: 6).TrainingOptions;
        (mobile.Alpha, mobile.WidthMultiplier, mobile.Epoch, mobile.BatchSize).Should().Be((0.125f, 1f, 4, 6));
    }

    [Fact]
    public void The_defaults_are_ML_NET_image_classification_defaults()
    {
        var o = new OctResNetTrainer.Options();
        (o.LabelColumnName, o.FeatureColumnName, o.ScoreColumnName, o.PredictedLabelColumnName).Should().Be(("Label", "Features", "Score", "PredictedLabel"));
        (o.Epoch, o.BatchSize, o.LearningRate).Should().Be((200, 10, 0.01f));
        (o.Depth, o.Alpha, o.Stem).Should().Be((50, 0.5f, ResNetStem.ImageNet));
        (o.ImagePathColumnName, o.InvalidImages, o.ValidationSetFraction).Should().Be(("ImagePath", InvalidImageHandling.Throw, (float?)null));
    }

    [Theory]
    [InlineData(-0.1f, 20, EarlyStoppingMetric.ValidationAccuracy, "minDelta")]
    [InlineData(float.PositiveInfinity, 20, EarlyStoppingMetric.ValidationAccuracy, "minDelta")]
    [InlineData(0.01f, 0, EarlyStoppingMetric.ValidationLoss, "patience")]
    [InlineData(0.01f, 5, EarlyStoppingMetric.None, "metric")]
    public void EarlyStopping_rejects_invalid_arguments_naming_them(float minDelta, int patience, EarlyStoppingMetric metric, string name)
    {
        var act = () => new EarlyStopping(minDelta, patience, metric);
        act.Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be(name);
    }
}
