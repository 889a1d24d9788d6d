using System.Globalization;
using Microsoft.ML;
using OctaveML.Samples.Commands;

namespace OctaveML.Tests.Samples;

[Collection("Parallelism")]
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
    public void A_tiny_run_prints_ML_NET_metrics_and_the_figure_and_saves_a_model_that_reloads_to_the_same_prediction()
    {
        using var t = new TempFolder();
        CopyShippedSubset(t, perClass: 10);
        string modelPath = t.File("model.zip");
        var o = new StringWriter();
        var e = new StringWriter();

        int code = Cli.Run(["pipeline", "--data", t.Path, "--size", "32", "--epochs", "1", "--threads", "2", "--model-out", modelPath], o, e);

        e.ToString().Should().BeEmpty();
        code.Should().Be(0);
        string output = o.ToString();
        output.Should().Contain("ResizeImages(32, 32)").And.Contain("epoch 1/1 | train loss ")
            .And.Contain("MicroAccuracy").And.Contain("LogLossReduction").And.Contain("Confusion table").And.Contain("predict  ");
        var last = output.Split('\n').Select(l => l.TrimEnd('\r')).Last(l => l.Length > 0);
        last.Should().StartWith("figure test_accuracy ");
        double printed = double.Parse(last["figure test_accuracy ".Length..], CultureInfo.InvariantCulture);

        // A fresh context loads the saved file and predicts what the run printed for its sample image.
        var ml = new MLContext(seed: 7);
        var loaded = ml.Model.Load(modelPath, out var schema);
        schema.Select(c => c.Name).Should().Equal("ImagePath", "Label");
        var engine = ml.Model.CreatePredictionEngine<ImageInput, ImagePrediction>(loaded);
        var line = output.Split('\n').Single(l => l.StartsWith("predict  ", StringComparison.Ordinal));
        string file = line["predict  ".Length..].Split(' ')[0];
        var p = engine.Predict(new ImageInput { ImagePath = Path.Combine(t.Path, file) });
        line.Should().Contain($": {p.PredictedLabel}, score {p.Score.Max().ToString("0.0000", CultureInfo.InvariantCulture)}");
        p.Score.Should().HaveCount(2);
        p.Score.Sum().Should().BeApproximately(1f, 1e-5f);
        printed.Should().BeInRange(0, 1);
    }

    [Fact]
    public void Bad_options_are_one_line_usage_errors()
    {
        var e = new StringWriter();
        Cli.Run(["pipeline", "--epochs", "0"], new StringWriter(), e).Should().Be(Cli.UsageError);
        e.ToString().Should().StartWith("error: --epochs: got 0; expected at least 1.");

        e = new StringWriter();
        Cli.Run(["pipeline", "--data", "/no/such/folder"], new StringWriter(), e).Should().Be(Cli.UsageError);
        e.ToString().Should().Contain("--data: /no/such/folder does not exist");
    }
}
