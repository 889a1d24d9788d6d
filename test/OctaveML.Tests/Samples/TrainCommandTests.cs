using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using OctaveML.Models;
using OctaveML.Onnx;
using OctaveML.Samples.Commands;
using OctaveML.Tests.Infrastructure;

namespace OctaveML.Tests.Samples;

[Collection("Parallelism")]
public class TrainCommandTests
{
    public sealed class Scored
    {
        public uint Label { get; set; }
        public string PredictedLabel { get; set; } = "";
    }

    private static double FigureOf(string output)
    {
        var line = output.Split('\n').Select(l => l.TrimEnd('\r')).Last(l => l.Length > 0);
        line.Should().StartWith("figure test_accuracy ");
        return double.Parse(line["figure test_accuracy ".Length..], CultureInfo.InvariantCulture);
    }

    /// <summary>The reference: the share of test rows whose predicted class name is their label's, counted here.</summary>
    private static (double Accuracy, int Images) Recount(TrainReport report)
    {
        var ml = new MLContext();
        var scored = report.Fitted.Transform(report.TestData);
        VBuffer<ReadOnlyMemory<char>> names = default;
        scored.Schema["Label"].GetKeyValues(ref names);
        var classes = names.DenseValues().Select(n => n.ToString()).ToArray();
        var rows = ml.Data.CreateEnumerable<Scored>(scored, reuseRowObject: false).ToList();
        return ((double)rows.Count(r => classes[r.Label - 1] == r.PredictedLabel) / rows.Count, rows.Count);
    }

    /// <summary>Two classes of 10 PNGs each (dark and light, 12 x 10), in class subfolders of <paramref name="t"/>.</summary>
    private static void WriteTwoClasses(TempFolder t)
    {
        foreach (var (cls, level) in new[] { ("dark", 30), ("light", 220) })
            for (int i = 0; i < 10; i++)
            {
                var px = new byte[12 * 10 * 3];
                for (int k = 0; k < px.Length; k++) px[k] = (byte)(level + (k * 7 + i * 3) % 20);
                TestPng.Save(Path.Combine(t.File(cls), $"{i}.png"), 12, 10, px);
            }
    }

    [Fact]
    public void A_tiny_run_on_the_shipped_IDX_set_prints_epochs_and_ML_NETs_test_accuracy_of_the_fitted_model()
    {
        var o = new StringWriter();
        var settings = new TrainSettings { Depth = 8, Epochs = 1, MaxTrainImages = 200, BatchSize = 50, Threads = 2 };
        var report = TrainCommand.Execute(settings, o, interactive: false);

        string output = o.ToString();
        output.Should().Contain("epoch 1/1 | train loss ").And.Contain("val loss").And.Contain("Confusion table").And.NotContain("\u001b");
        report.Kind.Should().Be(DatasetKind.Idx);
        (report.TrainImages + report.ValidationImages).Should().Be(200);
        report.TestImages.Should().Be(500);
        var (expected, images) = Recount(report);
        images.Should().Be(500);
        report.Test.MicroAccuracy.Should().BeApproximately(expected, 1e-12);
        FigureOf(output).Should().BeApproximately(expected, 1e-9); // k / 500 prints exactly with four decimals
    }

    [Fact]
    public void An_image_folder_goes_through_LoadImages_ResizeImages_ExtractPixels_and_reports_the_held_out_accuracy()
    {
        using var t = new TempFolder();
        WriteTwoClasses(t);
        var o = new StringWriter();
        var settings = new TrainSettings
        {
            Data = t.Path, Model = "oct-cifar-resnet", Depth = 8, Size = 16, Epochs = 2, BatchSize = 8, Threads = 2, ValidationFraction = 0,
        };
        var report = TrainCommand.Execute(settings, o, interactive: false);

        o.ToString().Should().Contain("ImageFolder").And.Contain("of 3x16x16, 2 classes")
            .And.Contain("MapValueToKey(Label) -> LoadImages -> ResizeImages(16, 16) -> ExtractPixels -> OctCifarResNet-8 (alpha 0.5)");
        (report.TrainImages + report.TestImages).Should().Be(20);
        var (expected, images) = Recount(report);
        images.Should().Be(report.TestImages);
        FigureOf(o.ToString()).Should().BeApproximately(expected, 1e-4);
    }

    [Fact]
    public void A_manifest_lists_images_relative_to_its_folder_with_a_header_line()
    {
        using var t = new TempFolder();
        WriteTwoClasses(t);
        var lines = new List<string> { "path,label" };
        foreach (var cls in new[] { "dark", "light" })
            for (int i = 0; i < 10; i++) lines.Add($"{cls}/{i}.png,{cls}");
        File.WriteAllLines(t.File("images.csv"), lines);
        var o = new StringWriter();

        var report = TrainCommand.Execute(new TrainSettings
        {
            Data = t.File("images.csv"), Model = "oct-cifar-resnet", Depth = 8, Size = 16, Epochs = 1, BatchSize = 8, Threads = 2, ValidationFraction = 0,
        }, o, interactive: false);

        report.Kind.Should().Be(DatasetKind.Manifest);
        (report.TrainImages + report.TestImages).Should().Be(20);
        o.ToString().Should().Contain("2 classes");
    }

    [Fact]
    public void Plot_and_model_out_write_the_curves_the_per_epoch_CSV_and_a_model_zip_with_the_trained_network()
    {
        using var t = new TempFolder();
        var o = new StringWriter();
        TrainCommand.Execute(new TrainSettings
        {
            Depth = 8, Epochs = 2, MaxTrainImages = 100, BatchSize = 25, Threads = 2,
            Plot = t.File("curves.png"), ModelOut = t.File("out/model.zip"),
        }, o, interactive: false);

        File.ReadAllBytes(t.File("curves.png"))[..8].Should().Equal(0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A);
        File.ReadAllLines(t.File($"out/{TrainCommand.EpochsCsvName}")).Should().HaveCount(3, "a header and two epochs");
        var saved = OctaveModelFile.Read(t.File("out/model.zip"));
        saved.Spec.Should().Be(new OctCifarResNetSpec { Depth = 8, Alpha = 0.5, NumClasses = 10, InChannels = 1 });
    }

    /// <summary>
    /// --initial-weights starts from a trained network's weights: with --fine-tune head the backbone leaves the run bit for
    /// bit as it came (only the head learns, on unaugmented images), with all every layer moves; a bad mode is named.
    /// </summary>
    [Fact]
    public void Initial_weights_start_the_network_and_fine_tune_says_which_layers_learn()
    {
        using var t = new TempFolder();
        TrainCommand.Execute(new TrainSettings { Depth = 8, Epochs = 1, MaxTrainImages = 100, BatchSize = 25, Threads = 2, ModelOut = t.File("first/model.zip") },
            new StringWriter(), interactive: false);
        string weights = t.File("pretrained.safetensors");
        var pretrained = OctaveModelFile.Read(t.File("first/model.zip"));
        OctaveModelFile.SaveSafeTensors(pretrained, weights);
        const string Backbone = "conv1.weight";
        pretrained.Weights.Should().ContainKey(Backbone);

        foreach (var mode in new[] { "head", "all" })
        {
            var o = new StringWriter();
            TrainCommand.Execute(new TrainSettings
            {
                Depth = 8, Epochs = 1, MaxTrainImages = 100, BatchSize = 25, Threads = 2, Seed = 3,
                InitialWeights = weights, FineTune = mode, ModelOut = t.File($"{mode}/model.zip"),
            }, o, interactive: false);
            string text = o.ToString();
            text.Should().Contain($"weights  {Path.GetFullPath(weights)} (SafeTensors): {pretrained.Weights.Count(kv => !kv.Key.EndsWith("num_batches_tracked"))} tensors loaded")
                .And.Contain(mode == "head" ? "fine-tuned the head alone" : "fine-tuned all layers");
            if (mode == "head") text.Should().Contain("note     --fine-tune head trains the head on features computed once: no augmentation");
            var tuned = OctaveModelFile.Read(t.File($"{mode}/model.zip"));
            var before = pretrained.Weights[Backbone].Data;
            var after = tuned.Weights[Backbone].Data;
            if (mode == "head") after.Should().Equal(before, "the backbone is frozen");
            else after.Should().NotEqual(before, "every layer learns");
            tuned.Weights["fc.weight"].Data.Should().NotEqual(pretrained.Weights["fc.weight"].Data, "the head learns in both modes");
        }

        var bad = () => TrainCommand.Execute(new TrainSettings { InitialWeights = weights, FineTune = "backbone" }, new StringWriter(), false);
        bad.Should().Throw<UsageException>().WithMessage("--fine-tune: got backbone; expected all or head.");
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
