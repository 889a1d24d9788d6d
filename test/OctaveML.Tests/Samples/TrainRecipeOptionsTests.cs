using Microsoft.ML;
using Microsoft.ML.Data;
using OctaveML.Samples.Commands;

namespace OctaveML.Tests.Samples;

[Collection("Parallelism")]
public class TrainRecipeOptionsTests
{
    private sealed class PixelRow
    {
        public float[] Features = [];
    }

    /// <summary>The Score vectors <paramref name="fitted"/> gives the rows of <paramref name="view"/>, in order.</summary>
    private static List<float[]> Scores(ITransformer fitted, IDataView view)
    {
        var scored = fitted.Transform(view);
        var list = new List<float[]>();
        using var cursor = scored.GetRowCursor(new[] { scored.Schema["Score"] });
        var getter = cursor.GetGetter<VBuffer<float>>(scored.Schema["Score"]);
        VBuffer<float> v = default;
        while (cursor.MoveNext()) { getter(ref v); list.Add(v.DenseValues().ToArray()); }
        return list;
    }

    /// <summary>The reference: every test image mirrored here, scored by the fitted model, probabilities averaged with the original's.</summary>
    private static double FlipAccuracyRecount(TrainReport report)
    {
        var ml = new MLContext();
        var test = report.TestData;
        var features = test.Schema["Features"];
        var images = new List<float[]>();
        var labels = new List<uint>();
        using (var cursor = test.GetRowCursor(new[] { features, test.Schema["Label"] }))
        {
            var f = cursor.GetGetter<VBuffer<float>>(features);
            var l = cursor.GetGetter<uint>(test.Schema["Label"]);
            VBuffer<float> v = default;
            uint key = 0;
            while (cursor.MoveNext())
            {
                f(ref v); l(ref key);
                var px = v.DenseValues().ToArray();
                var mirrored = new float[px.Length];
                for (int y = 0; y < 28; y++)
                    for (int x = 0; x < 28; x++)
                        mirrored[y * 28 + x] = px[y * 28 + 27 - x];
                images.Add(mirrored);
                labels.Add(key);
            }
        }
        var definition = SchemaDefinition.Create(typeof(PixelRow));
        definition[nameof(PixelRow.Features)].ColumnType = features.Type;
        var mirroredView = ml.Data.LoadFromEnumerable(images.Select(p => new PixelRow { Features = p }), definition);
        var a = Scores(report.Fitted, test);
        var b = Scores(report.Fitted, mirroredView);
        int correct = 0;
        for (int i = 0; i < labels.Count; i++)
        {
            var mean = a[i].Zip(b[i], (p, q) => p + q).ToArray();
            if (Array.IndexOf(mean, mean.Max()) == labels[i] - 1) correct++;
        }
        return (double)correct / labels.Count;
    }

    [Fact]
    public void Weight_decay_augmentation_random_erasing_and_test_flip_are_applied_and_reported()
    {
        var o = new StringWriter();
        var report = TrainCommand.Execute(new TrainSettings
        {
            Depth = 8, Epochs = 2, MaxTrainImages = 200, BatchSize = 50, Threads = 2, ValidationFraction = 0,
            Optimizer = "adamw", LearningRate = 1e-3, Schedule = "constant", WeightDecay = 0, Augment = "crop", RandomErasing = 0.5, TestFlip = true,
        }, o, interactive: false);

        string output = o.ToString();
        output.Should().Contain("augment  random crop (padding 2), random erasing (p 0.5), per-channel normalisation")
            .And.Contain("adamw lr 0.001 constant, weight decay 0,");
        report.TestFlipAccuracy.Should().NotBeNull();
        report.TestFlipAccuracy!.Value.Should().BeApproximately(FlipAccuracyRecount(report), 1e-12);
        var lines = output.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0).ToArray();
        lines[^2].Should().StartWith("figure test_accuracy_flip ");
        lines[^1].Should().StartWith("figure test_accuracy ");
    }

    [Fact]
    public void Augment_none_trains_on_the_images_as_they_are()
    {
        var o = new StringWriter();
        TrainCommand.Execute(new TrainSettings { Depth = 8, Epochs = 1, MaxTrainImages = 100, BatchSize = 50, Threads = 2, ValidationFraction = 0, Augment = "none" }, o, false);
        o.ToString().Should().Contain("augment  none, per-channel normalisation").And.Contain("adamw lr 0.002 cosine, weight decay 0.05,");
    }

    [Fact]
    public void Test_flip_is_refused_for_digits()
    {
        using var t = new TempFolder(); // a path without "fashion": the IDX classes are digits
        foreach (var file in Directory.GetFiles(OctaveML.Tests.Data.DataFiles.FashionSmall))
            File.Copy(file, t.File(Path.GetFileName(file)));
        var act = () => TrainCommand.Execute(new TrainSettings { Data = t.Path, Depth = 8, Epochs = 1, MaxTrainImages = 50, TestFlip = true }, new StringWriter(), false);
        act.Should().Throw<UsageException>().WithMessage("--test-flip: *digit*");
    }

    [Fact]
    public void Mirror_reverses_every_row_of_every_channel_and_is_its_own_inverse()
    {
        float[] px = Enumerable.Range(0, 2 * 2 * 3).Select(i => (float)i).ToArray(); // 2 channels of 2 x 3
        TestTimeFlip.Mirror(px, 2, 3).Should().Equal(2, 1, 0, 5, 4, 3, 8, 7, 6, 11, 10, 9);
        TestTimeFlip.Mirror(TestTimeFlip.Mirror(px, 2, 3), 2, 3).Should().Equal(px);
        FluentActions.Invoking(() => TestTimeFlip.Mirror(px, 5, 5)).Should().Throw<ArgumentException>();
    }

    [Theory]
    [InlineData("--augment", "crop,blur")]
    [InlineData("--augment", "none,crop")]
    [InlineData("--augment", "")]
    [InlineData("--random-erasing", "1.5")]
    [InlineData("--weight-decay", "-0.1")]
    public void A_bad_recipe_option_is_a_usage_error_naming_it(string option, string value)
    {
        var e = new StringWriter();
        int code = Cli.Run(["train", option, value], new StringWriter(), e);
        code.Should().Be(Cli.UsageError);
        e.ToString().Should().StartWith($"error: {option}: ");
    }
}
