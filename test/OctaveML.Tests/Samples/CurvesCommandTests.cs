using OctaveML.Samples.Commands;
using OctaveML.Training;

namespace OctaveML.Tests.Samples;

public class CurvesCommandTests
{
    private static void WriteRun(string path, double scale)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        EpochMetricsCsv.Write(path, Enumerable.Range(0, 4).Select(e => new EpochMetrics(e, 2.0 / (e + 1) * scale, 0.5 + 0.1 * e, e % 2 == 0 ? 1.0 / (e + 1) : null, e % 2 == 0 ? 0.6 : null, 0.01)).ToList());
    }

    [Fact]
    public void Several_epochs_csv_files_go_on_one_chart_named_as_given_or_after_their_folder()
    {
        using var t = new TempFolder();
        WriteRun(t.File("oct/epochs.csv"), 1);
        WriteRun(t.File("plain/epochs.csv"), 0.8);
        var o = new StringWriter();
        var e = new StringWriter();

        int code = Cli.Run(["curves", "alpha 0.5=" + t.File("oct/epochs.csv"), t.File("plain/epochs.csv"), "--out", t.File("charts/both.png")], o, e);

        e.ToString().Should().BeEmpty();
        code.Should().Be(0);
        o.ToString().Should().Contain("(alpha 0.5, plain)");
        File.ReadAllBytes(t.File("charts/both.png"))[..8].Should().Equal(0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A);
    }

    [Fact]
    public void A_missing_or_malformed_file_is_a_usage_error_naming_it()
    {
        using var t = new TempFolder();
        File.WriteAllText(t.File("bad.csv"), "not,a,header\n");
        foreach (var (file, expected) in new[] { (t.File("none.csv"), "does not exist"), (t.File("bad.csv"), "header") })
        {
            var e = new StringWriter();
            int code = Cli.Run(["curves", file, "--out", t.File("x.png")], new StringWriter(), e);
            code.Should().Be(Cli.UsageError);
            e.ToString().Should().StartWith("error: runs: ").And.Contain(file).And.Contain(expected);
        }
        File.Exists(t.File("x.png")).Should().BeFalse();
    }
}
