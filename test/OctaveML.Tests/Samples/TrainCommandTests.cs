using System.Globalization;
using OctaveML.Imaging;
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

    [Fact]
    public void Tiny_run_on_the_shipped_set_prints_epochs_and_the_test_figure()
    {
        var o = new StringWriter();
        var report = TrainCommand.Execute(new TrainSettings
        {
            Depth = 8, Epochs = 1, MaxTrainImages = 200, BatchSize = 50, Threads = 2,
        }, o, interactive: false);

        string output = o.ToString();
        output.Should().Contain("epoch 1/1 | train loss ").And.Contain("val loss").And.NotContain("\u001b");
        report.Kind.Should().Be(DatasetKind.Idx);
        (report.TrainImages + report.ValidationImages).Should().Be(200);
        report.TestImages.Should().Be(500);
        double acc = FigureOf(output);
        acc.Should().BeInRange(0, 1);
        acc.Should().BeApproximately(report.Test.Accuracy, 1e-4);
    }

    [Fact]
    public void Image_folder_run_holds_out_a_stratified_test_split()
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
        int code = Cli.Run(["train", "--data", t.Path, "--model", "oct-cifar-resnet", "--depth", "8", "--size", "16",
                            "--epochs", "2", "--batch-size", "8", "--threads", "2", "--validation-fraction", "0"], o, new StringWriter());
        code.Should().Be(0);
        o.ToString().Should().Contain("ImageFolder").And.Contain("16 train, 0 validation, 4 test images of 3x16x16, 2 classes");
        FigureOf(o.ToString()).Should().BeInRange(0, 1);
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
