using System.Globalization;
using OctaveML.Pipeline;
using OctaveML.Samples.Commands;

namespace OctaveML.Tests.Samples;

public class PipelineCommandTests
{
    /// <summary>The first <paramref name="perClass"/> images of two classes of the shipped data/fashion-png.</summary>
    private static void CopyShippedSubset(TempFolder t, int perClass)
    {
        string shipped = DatasetDetector.FindInRepository(PipelineCommand.ShippedRelativePath)
            ?? throw new InvalidOperationException("data/fashion-png not found above the test binaries");
        foreach (var cls in new[] { "Bag", "Trouser" })
        {
            Directory.CreateDirectory(t.File(cls));
            for (int i = 0; i < perClass; i++)
                File.Copy(Path.Combine(shipped, cls, $"{i}.png"), Path.Combine(t.File(cls), $"{i}.png"));
        }
    }

    [Fact]
    public void TinyRunPrintsMetricsAPredictionAndTheFigureAndSavesALoadableModel()
    {
        using var t = new TempFolder();
        CopyShippedSubset(t, perClass: 10);
        string modelPath = t.File("model.zip");
        var o = new StringWriter();
        var e = new StringWriter();

        int code = Cli.Run(["pipeline", "--data", t.Path, "--size", "16", "--epochs", "1", "--threads", "2", "--model-out", modelPath], o, e);

        e.ToString().Should().BeEmpty();
        code.Should().Be(0);
        string output = o.ToString();
        output.Should().Contain("16 train, 4 test images").And.Contain("epoch 1/1 | train loss ")
            .And.Contain("MicroAccuracy").And.Contain("LogLossReduction").And.Contain("Confusion table").And.Contain("predict  ");
        var last = output.Split('\n').Select(l => l.TrimEnd('\r')).Last(l => l.Length > 0);
        last.Should().StartWith("figure test_accuracy ");
        double acc = double.Parse(last["figure test_accuracy ".Length..], CultureInfo.InvariantCulture);
        acc.Should().BeOneOf(0, 0.25, 0.5, 0.75, 1); // 4 test images

        var ctx = new OctaveContext(seed: 1);
        var loaded = ctx.Model.Load(modelPath, out var schema);
        schema.Select(c => c.Name).Should().Equal("ImagePath", "Label");
        var engine = ctx.Model.CreatePredictionEngine<PipelineCommand.ImageInput, PipelineCommand.ImagePrediction>(loaded);
        var p = engine.Predict(new PipelineCommand.ImageInput { ImagePath = Path.Combine("Bag", "0.png") });
        p.PredictedLabel.Should().BeOneOf("Bag", "Trouser");
        p.Score.Should().HaveCount(2);
        p.Score.Sum().Should().BeApproximately(1f, 1e-5f);
    }

    [Fact]
    public void BadOptionsAreOneLineUsageErrors()
    {
        var e = new StringWriter();
        Cli.Run(["pipeline", "--epochs", "0"], new StringWriter(), e).Should().Be(Cli.UsageError);
        e.ToString().Should().StartWith("error: --epochs: got 0; expected at least 1.");

        e = new StringWriter();
        Cli.Run(["pipeline", "--data", "/no/such/folder"], new StringWriter(), e).Should().Be(Cli.UsageError);
        e.ToString().Should().Contain("--data: /no/such/folder does not exist");
    }
}
