using Microsoft.ML;
using OctaveML.Models;

namespace OctaveML.Samples.Commands;

/// <summary>The ML.NET trainer a <c>--model</c> name describes, with the options every family shares.</summary>
public static class TrainerFactory
{
    /// <summary>
    /// The trainer of <paramref name="model"/> for <paramref name="side"/>-pixel images; <paramref name="shared"/>
    /// sets the options all families share; <paramref name="lastReport"/> reads what its last Fit did. Bad depths are <see cref="UsageException"/>s naming --depth.
    /// </summary>
    public static IEstimator<ITransformer> Create(MLContext ml, string model, int? depth, double alpha, double width, int side,
        Action<OctaveTrainerOptions> shared, out string description, out Func<TrainingReport?> lastReport)
    {
        var trainers = ml.MulticlassClassification.Trainers;
        try
        {
            switch (model)
            {
                case "oct-cifar-resnet":
                    var c = With(new OctCifarResNetTrainer.Options { Depth = depth ?? 20, Alpha = (float)alpha }, shared);
                    description = FormattableString.Invariant($"OctCifarResNet-{c.Depth} (alpha {c.Alpha})");
                    var ct = trainers.OctCifarResNet(c);
                    lastReport = () => ct.LastTrainingReport;
                    return ct;
                case "oct-resnet":
                    var stem = side <= ModelFactory.SmallStemMaxSide ? ResNetStem.Small : ResNetStem.ImageNet;
                    var r = With(new OctResNetTrainer.Options { Depth = depth ?? 26, Alpha = (float)alpha, Stem = stem }, shared);
                    description = FormattableString.Invariant($"OctResNet-{r.Depth} (alpha {r.Alpha}, {r.Stem} stem)");
                    var rt = trainers.OctResNet(r);
                    lastReport = () => rt.LastTrainingReport;
                    return rt;
                case "oct-mobilenet":
                    var m = With(new OctMobileNetTrainer.Options { Alpha = (float)alpha, WidthMultiplier = (float)width }, shared);
                    description = FormattableString.Invariant($"OctMobileNet (alpha {m.Alpha}, width {m.WidthMultiplier})");
                    var mt = trainers.OctMobileNet(m);
                    lastReport = () => mt.LastTrainingReport;
                    return mt;
                default:
                    throw new UsageException($"--model: got {model}; expected {string.Join(", ", TrainSettings.Models)}.");
            }
        }
        catch (ArgumentOutOfRangeException e) when (e.ParamName == "Depth")
        {
            throw new UsageException($"--depth: got {depth}; expected {(model == "oct-resnet" ? "26, 50, 101, 152 or 200" : "6n + 2 with n >= 1 (20, 32, 44, 56, 110)")} for {model}.");
        }
    }

    private static T With<T>(T options, Action<OctaveTrainerOptions> shared) where T : OctaveTrainerOptions
    {
        shared(options);
        return options;
    }
}
