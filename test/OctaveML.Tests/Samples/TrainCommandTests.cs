using System.Globalization;
using OctaveML.Data;
using OctaveML.Imaging;
using OctaveML.Models;
using OctaveML.Samples.Commands;

namespace OctaveML.Tests.Samples;

[Collection("Parallelism")]
public class TrainCommandTests
{
    private static double FigureOf(string output)
    {
        var line = output.Split('\n').Select(l => l.TrimEnd('\r')).Last(l => l.Length > 0);
        line.Should().StartWith("figure test_accuracy ");
        return double.Parse(line["figure test_accuracy ".Length..], CultureInfo.InvariantCulture);
    }

    /// <summary>The reference: top-1 accuracy of <paramref name="model"/> over the test split of <paramref name="settings"/>, counted here.</summary>
    private static (double Accuracy, int Images) TestAccuracy(ImageClassifier model, TrainSettings settings, DatasetKind kind)
    {
        using var data = TrainData.Load(settings.Data ?? DatasetDetector.FindShippedDataset()!, kind, settings, TextWriter.Null);
        model.Eval();
        int correct = 0, seen = 0;
        foreach (var batch in data.TestLoader.GetEpoch(0))
        {
            var logits = model.Forward(batch.Images);
            for (int i = 0; i < batch.Count; i++)
            {
                var row = logits.Data.AsSpan(i * model.NumClasses, model.NumClasses);
                int best = 0;
                for (int k = 1; k < row.Length; k++) if (row[k] > row[best]) best = k;
                if (best == batch.Labels[i]) correct++;
            }
            seen += batch.Count;
        }
        return ((double)correct / seen, seen);
    }

    [Fact]
    public void Tiny_run_on_the_shipped_set_prints_epochs_and_the_trained_models_test_accuracy()
    {
        var o = new StringWriter();
        var settings = new TrainSettings { Depth = 8, Epochs = 1, MaxTrainImages = 200, BatchSize = 50, Threads = 2 };
        var report = TrainCommand.Execute(settings, o, interactive: false);

        string output = o.ToString();
        output.Should().Contain("epoch 1/1 | train loss ").And.Contain("val loss").And.NotContain("\u001b");
        report.Kind.Should().Be(DatasetKind.Idx);
        (report.TrainImages + report.ValidationImages).Should().Be(200);
        report.TestImages.Should().Be(500);
        var (expected, images) = TestAccuracy(report.Classifier, settings, DatasetKind.Idx);
        images.Should().Be(500);
        report.Test.Accuracy.Should().Be(expected);
        FigureOf(output).Should().BeApproximately(expected, 1e-9); // k / 500 prints exactly with four decimals
    }

    [Fact]
    public void Image_folder_run_holds_out_a_stratified_test_split_and_reports_its_accuracy()
    {
        using var t = new TempFolder();
        foreach (var (cls, level) in new[] { ("dark", 30), ("light", 220) })
        {
            Directory.CreateDirectory(t.File(cls));
            for (int i = 0; i < 10; i++)
            {
                var px = new byte[12 * 10 * 3];
                for (int k = 0; k < px.Length; k++) px[k] = (byte)(level + (k * 7 + i * 3) % 20);
                PngEncoder.Save(new Image(12, 10, 3, px), Path.Combine(t.File(cls), $"{i}.png"));
            }
        }
        var o = new StringWriter();
        var settings = new TrainSettings
        {
            Data = t.Path, Model = "oct-cifar-resnet", Depth = 8, Size = 16, Epochs = 2, BatchSize = 8, Threads = 2, ValidationFraction = 0,
        };
        var report = TrainCommand.Execute(settings, o, interactive: false);
        o.ToString().Should().Contain("ImageFolder").And.Contain("16 train, 0 validation, 4 test images of 3x16x16, 2 classes");
        var (expected, images) = TestAccuracy(report.Classifier, settings, DatasetKind.ImageFolder);
        images.Should().Be(4);
        report.Test.Accuracy.Should().Be(expected);
        FigureOf(o.ToString()).Should().Be(expected); // a multiple of 1/4
    }

    [Fact]
    public void One_cycle_falls_back_to_cosine_when_the_run_is_too_short()
    {
        var o = new StringWriter();
        TrainCommand.Execute(new TrainSettings { Depth = 8, Epochs = 1, MaxTrainImages = 100, BatchSize = 64, Threads = 2, ValidationFraction = 0 }, o, false);
        o.ToString().Should().Contain("using cosine").And.Contain("figure test_accuracy ");
    }

    [Fact]
    public void A_size_other_than_native_on_IDX_is_rejected()
    {
        var act = () => TrainCommand.Execute(new TrainSettings { Size = 32, Epochs = 1 }, new StringWriter(), false);
        act.Should().Throw<UsageException>().WithMessage("--size: got 32*28*");
    }
}
