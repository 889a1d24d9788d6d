using OctaveML.Models;

namespace OctaveML.Samples.Commands;

/// <summary>Builds the model a <c>--model</c> name describes; bad combinations are <see cref="UsageException"/>s naming the option.</summary>
public static class ModelFactory
{
    /// <summary>oct-resnet inputs at most this side use the small (3x3, no pooling) stem.</summary>
    public const int SmallStemMaxSide = 64;

    /// <summary>A freshly initialised <paramref name="model"/> for <paramref name="side"/>-pixel inputs.</summary>
    public static ImageClassifier Create(string model, int? depth, double alpha, double width, int side, int inChannels, int classes, int seed)
    {
        try
        {
            return model switch
            {
                "oct-cifar-resnet" => new OctCifarResNet(depth ?? 20, classes, alpha, inChannels, seed),
                "oct-resnet" => new OctResNet(depth ?? 26, classes, alpha, side <= SmallStemMaxSide ? ResNetStem.Small : ResNetStem.ImageNet, inChannels, seed),
                "oct-mobilenet" => new OctMobileNet(classes, alpha, inChannels, width, seed),
                _ => throw new UsageException($"--model: got {model}; expected {string.Join(", ", TrainSettings.Models)}."),
            };
        }
        catch (ArgumentOutOfRangeException e) when (e.ParamName == "depth")
        {
            throw new UsageException($"--depth: got {depth}; expected {(model == "oct-resnet" ? "26, 50, 101, 152 or 200" : "6n + 2 with n >= 1 (20, 32, 44, 56, 110)")} for {model}.");
        }
    }

    /// <summary>A short name such as "OctCifarResNet-20 (alpha 0.5)".</summary>
    public static string Describe(ImageClassifier model) => model switch
    {
        OctCifarResNet c => FormattableString.Invariant($"OctCifarResNet-{c.Depth} (alpha {c.Alpha})"),
        OctResNet r => FormattableString.Invariant($"OctResNet-{r.Depth} (alpha {r.Alpha}, {r.Stem} stem)"),
        OctMobileNet m => FormattableString.Invariant($"OctMobileNet (alpha {m.Alpha}, width {m.WidthMultiplier})"),
        _ => model.GetType().Name,
    };
}
