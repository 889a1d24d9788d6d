using OctaveML.Data;
using OctaveML.Samples.Commands;
using SkiaSharp;

namespace OctaveML.Tests.Samples;

[Collection("Parallelism")]
public class FineTuneDemoCommandTests
{
    private static string Shipped(string relative) => DatasetDetector.FindInRepository(relative)
        ?? throw new InvalidOperationException($"{relative} not found above the test binaries");

    [Fact]
    public void The_PNG_folders_hold_the_IDX_pixels_as_the_shipped_fashion_png_does()
    {
        using var t = new TempFolder();
        var idx = IdxDataset.LoadFolder(Shipped(DatasetDetector.ShippedRelativePath), train: true);

        var rows = PngFolder.Write(idx, ["Bag", "T-shirt_top"], perClass: 3, t.Path);

        rows.Select(r => Path.GetRelativePath(t.Path, r.ImagePath)).Should().Equal(
            Path.Combine("T-shirt_top", "0.png"), Path.Combine("T-shirt_top", "1.png"), Path.Combine("T-shirt_top", "2.png"),
            Path.Combine("Bag", "0.png"), Path.Combine("Bag", "1.png"), Path.Combine("Bag", "2.png"));
        foreach (var row in rows)
        {
            // data/fashion-png/<class>/<n>.png is the n-th image of the class in the same file (written by PIL).
            using var ours = SKBitmap.Decode(row.ImagePath);
            using var shipped = SKBitmap.Decode(Path.Combine(Shipped(PipelineCommand.ShippedRelativePath), row.Label, Path.GetFileName(row.ImagePath)));
            (ours.Width, ours.Height, ours.ColorType).Should().Be((28, 28, SKColorType.Gray8));
            ours.Pixels.Should().Equal(shipped.Pixels, row.ImagePath);
        }
        FluentActions.Invoking(() => PngFolder.Write(idx, ["Bags"], 1, t.Path)).Should().Throw<ArgumentException>().WithMessage("classes [Bags] are not among*");
    }

    [Fact]
    public void A_tiny_demonstration_pretrains_fine_tunes_and_prints_every_run_scored_on_both_held_out_sets()
    {
        using var t = new TempFolder();
        string data = t.File("fashion-png"); // the main job's 5 classes, 10 images each
        foreach (var folder in Directory.GetDirectories(Shipped(PipelineCommand.ShippedRelativePath)))
        {
            Directory.CreateDirectory(Path.Combine(data, Path.GetFileName(folder)));
            for (int i = 0; i < 10; i++) File.Copy(Path.Combine(folder, $"{i}.png"), Path.Combine(data, Path.GetFileName(folder), $"{i}.png"));
        }
        string work = t.File("work");
        var o = new StringWriter();
        var e = new StringWriter();

        int code = Cli.Run(["finetune-demo", "--data", data, "--mnist", Shipped(DatasetDetector.ShippedRelativePath), "--work", work, "--pretrain-per-class", "12",
            "--pretrain-epochs", "1", "--epochs", "1", "--head-epochs", "2", "--held-out-per-class", "4", "--threads", "2"], o, e);

        e.ToString().Should().BeEmpty();
        code.Should().Be(0);
        string output = o.ToString();
        File.Exists(Path.Combine(work, "pretrained.safetensors")).Should().BeTrue();
        Directory.GetFiles(Path.Combine(work, "pretrain"), "*.png", SearchOption.AllDirectories).Should().HaveCount(60, "12 of each of the 5 other classes");
        Directory.GetDirectories(Path.Combine(work, "pretrain")).Select(Path.GetFileName).Should().BeEquivalentTo("Pullover", "Dress", "Coat", "Sandal", "Shirt");
        var split = output.Split('\n').Single(l => l.StartsWith("split    ", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        (int.Parse(split[1]) + int.Parse(split[3])).Should().Be(50);
        output.Should().Contain($"| model | recipe | Fit wall s | Fit CPU s | MicroAccuracy, {split[3]} test images | MicroAccuracy, 20 Fashion-MNIST test images |")
            .And.Contain("head only: the frozen backbone's 64 features").And.Contain("input normalisation from " + Path.Combine(work, "pretrained.safetensors"));
        var figures = output.Split('\n').Where(l => l.StartsWith("figure finetune_", StringComparison.Ordinal)).ToList();
        figures.Should().HaveCount(12);
        figures.Select(f => double.Parse(f.Split(' ')[2], System.Globalization.CultureInfo.InvariantCulture)).Should().OnlyContain(a => a >= 0 && a <= 1);
        output.Split('\n').Count(l => l.StartsWith("| fine-tuned, ", StringComparison.Ordinal)).Should().Be(3);
    }

    [Fact]
    public void Bad_options_are_one_line_usage_errors_naming_them()
    {
        var e = new StringWriter();

        Cli.Run(["finetune-demo", "--epochs", "0"], new StringWriter(), e).Should().Be(Cli.UsageError);
        e.ToString().Trim().Should().Be("error: --epochs: got 0; expected at least 1.");
        e.GetStringBuilder().Clear();
        Cli.Run(["finetune-demo", "--weights", "no-such.pth"], new StringWriter(), e).Should().Be(Cli.UsageError);
        e.ToString().Trim().Should().Be("error: --weights: no-such.pth does not exist.");
    }
}
