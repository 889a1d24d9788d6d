using Microsoft.ML;
using OctaveML.Training;
using Xunit.Abstractions;

namespace OctaveML.TorchSharp.Tests;

/// <summary>The ML.NET program, one option changed: the managed engine or libtorch trains the network.</summary>
public class MLNetBackendTests(ITestOutputHelper output)
{
    public sealed class ImageRow
    {
        public string ImagePath { get; set; } = "";
        public string Label { get; set; } = "";
    }

    public sealed class Prediction
    {
        public float[] Score { get; set; } = [];
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

    /// <summary>Fits the README's ML.NET program on 3 classes x 20 images, saves and reloads the model, and scores the held-out rows.</summary>
    private static float[][] FitSaveLoadScore(ITrainingBackend? backend, List<string> notes)
    {
        string folder = FashionPng();
        var rows = new[] { "Bag", "Trouser", "Sneaker" }.SelectMany(c => Directory.GetFiles(Path.Combine(folder, c), "*.png").Order(StringComparer.Ordinal).Take(20)
            .Select(f => new ImageRow { ImagePath = Path.GetRelativePath(folder, f), Label = c })).ToList();
        var ml = new MLContext(seed: 1);
        var split = ml.Data.TrainTestSplit(ml.Data.LoadFromEnumerable(rows), testFraction: 0.2);
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.LoadImages("Image", folder, "ImagePath"))
            .Append(ml.Transforms.ResizeImages("Image", 32, 32))
            .Append(ml.Transforms.ExtractPixels("Features", "Image"))
            .Append(ml.MulticlassClassification.Trainers.OctCifarResNet(new OctCifarResNetTrainer.Options
            {
                Depth = 8, Alpha = 0.5f, Epoch = 2, BatchSize = 8, LearningRate = 0.05f, ImageFolder = folder, Backend = backend,
                MetricsCallback = m => { if (m.Message is { } n) notes.Add(n); },
            }));
        var model = pipeline.Fit(split.TrainSet);
        string file = Path.Combine(Path.GetTempPath(), $"octaveml-mlnet-backend-{Guid.NewGuid():N}.zip");
        try
        {
            ml.Model.Save(model, split.TrainSet.Schema, file);
            var loaded = new MLContext(seed: 2).Model.Load(file, out _);
            return ml.Data.CreateEnumerable<Prediction>(loaded.Transform(split.TestSet), reuseRowObject: false).Select(p => p.Score).ToArray();
        }
        finally { File.Delete(file); }
    }

    [Fact]
    public void The_backend_option_alone_switches_the_engine_and_the_saved_models_score_alike()
    {
        var managedNotes = new List<string>();
        var torchNotes = new List<string>();
        var managed = FitSaveLoadScore(null, managedNotes);
        var torch = FitSaveLoadScore(new TorchSharpBackend(threads: 2), torchNotes);
        torchNotes.Should().Contain(n => n.Contains("(torchsharp (cpu))"));
        managedNotes.Should().Contain(n => n.Contains("(managed)"));
        torch.Should().HaveSameCount(managed).And.NotBeEmpty();
        double diff = managed.Zip(torch).Max(p => p.First.Zip(p.Second).Max(x => Math.Abs(x.First - x.Second)));
        output.WriteLine($"ML.NET OctCifarResNet-8 trainer, 2 epochs on 48 images, saved and reloaded: test scores max |managed - libtorch| {diff:E2}");
        diff.Should().BeLessThan(2e-3);
    }
}
