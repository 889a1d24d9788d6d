using OctaveML.Training;
using SkiaSharp;

namespace OctaveML.Tests.Training;

public class TrainingCurvesTests
{
    private static IReadOnlyList<EpochMetrics> Run(double shift, bool validated) =>
        Enumerable.Range(1, 6).Select(e => new EpochMetrics(e, 1.5 / e + shift, 0.5 + 0.07 * e - shift,
            validated ? 1.6 / e + shift : null, validated ? 0.45 + 0.07 * e - shift : null, 0.01)).ToList();

    [Fact]
    public void Csv_round_trips_every_figure_including_missing_validation()
    {
        var history = Run(0.1, validated: true).Concat(Run(0.2, validated: false).Select(m => m with { Epoch = m.Epoch + 6 })).ToList();
        string path = Path.Combine(Path.GetTempPath(), $"octaveml-curves-{Guid.NewGuid():N}.csv");
        try
        {
            EpochMetricsCsv.Write(path, history);
            EpochMetricsCsv.Read(path).Should().Equal(history);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void A_malformed_csv_line_names_the_file_and_line()
    {
        string path = Path.Combine(Path.GetTempPath(), $"octaveml-curves-{Guid.NewGuid():N}.csv");
        try
        {
            File.WriteAllText(path, EpochMetricsCsv.Header + "\n1,0.5,0.8,,,0.1\n2,zero,0.8,,,0.1\n");
            FluentActions.Invoking(() => EpochMetricsCsv.Read(path)).Should().Throw<FormatException>().WithMessage($"{path}:3:*");
            File.WriteAllText(path, "epoch,loss\n");
            FluentActions.Invoking(() => EpochMetricsCsv.Read(path)).Should().Throw<FormatException>().WithMessage($"{path}: the first line*");
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void The_chart_is_a_png_of_the_requested_size_with_one_colour_per_run()
    {
        byte[] png = TrainingCurves.ToPng([("alpha 0.5", Run(0, true)), ("alpha 0", Run(0.15, true))], 900, 400);
        using var bitmap = SKBitmap.Decode(png);
        bitmap.Width.Should().Be(900);
        bitmap.Height.Should().Be(400);
        // Category10's first two colours draw the two runs' lines.
        var colours = new HashSet<SKColor>();
        for (int y = 0; y < bitmap.Height; y++)
            for (int x = 0; x < bitmap.Width; x++) colours.Add(bitmap.GetPixel(x, y));
        colours.Should().Contain(new SKColor(0x1f, 0x77, 0xb4)).And.Contain(new SKColor(0xff, 0x7f, 0x0e));
    }

    [Fact]
    public void Runs_without_epochs_are_rejected_by_name()
    {
        FluentActions.Invoking(() => TrainingCurves.ToPng([("empty run", Array.Empty<EpochMetrics>())]))
            .Should().Throw<ArgumentException>().WithMessage("*'empty run'*");
        FluentActions.Invoking(() => TrainingCurves.ToPng([])).Should().Throw<ArgumentException>();
    }
}
