using System.CommandLine;
using OctaveML.Models;

namespace OctaveML.Samples.Commands;

/// <summary><c>summary</c>: per-layer output shapes (high and low frequency), parameters and MACs of a model.</summary>
public static class SummaryCommand
{
    /// <summary>The System.CommandLine command.</summary>
    public static Command Create(TextWriter output, TextWriter error)
    {
        var model = new Option<string>("--model") { Description = "oct-resnet | oct-cifar-resnet | oct-mobilenet", DefaultValueFactory = _ => "oct-resnet" };
        var depth = new Option<int?>("--depth") { Description = "network depth (default 26 for oct-resnet, 20 for oct-cifar-resnet)" };
        var alpha = new Option<double>("--alpha") { Description = "low-frequency share of the channels, in [0, 1)", DefaultValueFactory = _ => 0.5 };
        var width = new Option<double>("--width") { Description = "oct-mobilenet width multiplier", DefaultValueFactory = _ => 1.0 };
        var size = new Option<int>("--size") { Description = "input side in pixels", DefaultValueFactory = _ => 224 };
        var classes = new Option<int>("--classes") { Description = "number of classes", DefaultValueFactory = _ => 1000 };
        var channels = new Option<int>("--channels") { Description = "input channels: 3 (RGB) or 1 (grayscale)", DefaultValueFactory = _ => 3 };
        var command = new Command("summary", "Print a model's layers with output shapes, parameters and MACs.") { model, depth, alpha, width, size, classes, channels };
        command.SetAction(r => Cli.Guard(error, () =>
        {
            output.Write(Run(r.GetValue(model)!, r.GetValue(depth), r.GetValue(alpha), r.GetValue(width), r.GetValue(size), r.GetValue(classes), r.GetValue(channels)));
            return 0;
        }));
        return command;
    }

    /// <summary>The summary table of the described model.</summary>
    public static string Run(string model, int? depth, double alpha, double width, int size, int classes, int channels)
    {
        if (!TrainSettings.Models.Contains(model)) throw new UsageException($"--model: got {model}; expected {string.Join(", ", TrainSettings.Models)}.");
        if (size is < 8 or > 4096) throw new UsageException($"--size: got {size}; expected an image side in [8, 4096].");
        if (classes < 2) throw new UsageException($"--classes: got {classes}; expected at least 2.");
        if (channels is not (1 or 3)) throw new UsageException($"--channels: got {channels}; expected 1 or 3.");
        if (!(alpha >= 0 && alpha < 1)) throw new UsageException($"--alpha: got {alpha}; expected a value in [0, 1).");
        if (!(width > 0 && width <= 4)) throw new UsageException($"--width: got {width}; expected a value in (0, 4].");
        ImageClassifier net = ModelFactory.Create(model, depth, alpha, width, size, channels, classes, seed: 0);
        return ModelSummary.Create(net, size, size).ToString();
    }
}
