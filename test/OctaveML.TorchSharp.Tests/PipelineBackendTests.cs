using OctaveML.Pipeline;
using OctaveML.Training;
using Xunit.Abstractions;

namespace OctaveML.TorchSharp.Tests;

/// <summary>One pipeline, one option changed: the managed engine and libtorch train the same model.</summary>
public class PipelineBackendTests(ITestOutputHelper output)
{
    public sealed class Scored
    {
        public float[] Score { get; set; } = [];
        public uint PredictedLabel { get; set; }
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

    private static float[][] TrainAndScore(ITrainingBackend? backend, List<string> logs)
    {
        string root = FashionPng();
        var ctx = new OctaveContext(seed: 1);
        ctx.Log += (_, e) => logs.Add(e.ToString());
        var split = ctx.Data.TrainTestSplit(ctx.Data.LoadFromImageFolder(root), testFraction: 0.2);
        var pipeline = ctx.Transforms.Conversion.MapValueToKey("Label")
            .Append(ctx.Transforms.LoadImages("Image", root, "ImagePath"))
            .Append(ctx.Transforms.ResizeImages("Image", 28, 28))
            .Append(ctx.Transforms.ExtractPixels("Features", "Image", scaleImage: 1f / 255))
            .Append(ctx.MulticlassClassification.Trainers.OctCifarResNet(new OctaveML.Pipeline.OctCifarResNetTrainer.Options
            {
                Depth = 8, Alpha = 0.5f, Epoch = 1, BatchSize = 32, LearningRate = 0.02f, Seed = 7, Backend = backend,
            }));
        var model = pipeline.Fit(split.TrainSet);
        return ctx.Data.CreateEnumerable<Scored>(model.Transform(split.TestSet)).Select(r => r.Score.ToArray()).ToArray();
    }

    [Fact]
    public void The_backend_option_alone_switches_the_engine_and_the_scores_agree()
    {
        var managedLogs = new List<string>();
        var torchLogs = new List<string>();
        var managed = TrainAndScore(null, managedLogs);
        var torch = TrainAndScore(new TorchSharpBackend(threads: 2), torchLogs);
        torchLogs.Should().Contain(l => l.Contains("torchsharp (cpu)"));
        managedLogs.Should().Contain(l => l.Contains("(managed)"));
        torch.Should().HaveSameCount(managed).And.HaveCount(80);
        double diff = managed.Zip(torch).Max(p => p.First.Zip(p.Second).Max(x => Math.Abs(x.First - x.Second)));
        output.WriteLine($"OctCifarResNet-8, one epoch of 10 batches on 320 Fashion-MNIST PNGs: test scores max |managed - libtorch| {diff:E2}");
        diff.Should().BeLessThan(2e-3);
    }
}
