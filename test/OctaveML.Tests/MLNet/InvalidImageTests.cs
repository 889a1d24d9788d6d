using Microsoft.ML;
using SkiaSharp;

namespace OctaveML.Tests.MLNet;

public class InvalidImageTests
{
    private static readonly MLContext Ml = new(1);

    /// <summary>Four good 20x20 JPEGs in each of a/ and b/ (relative paths a/0.jpg ...), plus whatever a test adds.</summary>
    private static List<ImageRow> GoodImages(ScratchFolder folder)
    {
        var rows = new List<ImageRow>();
        foreach (var (cls, k) in new[] { ("a", 0), ("b", 1) })
            for (int i = 0; i < 4; i++)
            {
                folder.Write($"{cls}/{i}.jpg", MLNetImages.Encode(20, 20, seed: k * 10 + i, SKEncodedImageFormat.Jpeg));
                rows.Add(new ImageRow { ImagePath = $"{cls}/{i}.jpg", Label = cls });
            }
        return rows;
    }

    private static byte[] Truncated(byte[] file) => file[..(file.Length * 2 / 3)];

    private static IDataView Prepared(IEnumerable<ImageRow> rows, string folder, string pathColumn = "ImagePath")
    {
        var data = Ml.Data.LoadFromEnumerable(rows.ToList());
        var pipeline = Ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(Ml.Transforms.CopyColumns("File", "ImagePath"))
            .Append(Ml.Transforms.LoadImages("Image", folder, pathColumn))
            .Append(Ml.Transforms.ResizeImages("Image", 10, 10))
            .Append(Ml.Transforms.ExtractPixels("Features", "Image"));
        var prepared = pipeline.Fit(data).Transform(data);
        return pathColumn == "ImagePath" ? prepared : Ml.Transforms.DropColumns("ImagePath").Fit(prepared).Transform(prepared);
    }

    private static OctCifarResNetTrainer Trainer(string? imageFolder, InvalidImageHandling handling = InvalidImageHandling.Throw,
        Action<ImageClassificationMetric>? callback = null, string? imagePathColumn = "ImagePath") =>
        Ml.MulticlassClassification.Trainers.OctCifarResNet(new OctCifarResNetTrainer.Options
        {
            Epoch = 1, BatchSize = 4, ImageFolder = imageFolder, InvalidImages = handling, MetricsCallback = callback, ImagePathColumnName = imagePathColumn,
        });

    [Fact]
    public void A_truncated_JPEG_is_reported_by_name_instead_of_being_trained_on()
    {
        using var folder = new ScratchFolder();
        var rows = GoodImages(folder);
        string bad = folder.Write("b/cut.jpg", Truncated(MLNetImages.Encode(64, 48, 5, SKEncodedImageFormat.Jpeg)));
        rows.Add(new ImageRow { ImagePath = "b/cut.jpg", Label = "b" });
        var data = Prepared(rows, folder.Path);

        var act = () => Trainer(folder.Path).Fit(data);

        var e = act.Should().Throw<InvalidImageException>().Which;
        e.FileName.Should().Be(bad);
        e.Images.Should().ContainSingle().Which.Should().Be(new InvalidImage(bad, 8, "truncated: the data ends before the image does", "the training data"));
        e.Message.Should().Contain(bad).And.Contain("InvalidImageHandling.Skip");
        // What the check prevents: without it, LoadImages hands the trainer a partial image and no error.
        Trainer(folder.Path, imagePathColumn: null).Train(data).Report.TrainingImages.Should().Be(9);
    }

    [Fact]
    public void Every_bad_file_is_named_in_one_exception_with_its_first_row()
    {
        using var folder = new ScratchFolder();
        var rows = GoodImages(folder);
        string png = folder.Write("a/cut.png", Truncated(MLNetImages.Encode(40, 30, 1, SKEncodedImageFormat.Png)));
        string text = folder.Write("a/notes.png", "not an image at all"u8.ToArray());
        rows.InsertRange(2, [
            new ImageRow { ImagePath = "a/cut.png", Label = "a" }, new ImageRow { ImagePath = "a/notes.png", Label = "a" },
            new ImageRow { ImagePath = "a/gone.jpg", Label = "a" }, new ImageRow { ImagePath = " ", Label = "b" },
            new ImageRow { ImagePath = "a/cut.png", Label = "a" },
        ]);

        var act = () => Trainer(folder.Path).Fit(Prepared(rows, folder.Path));

        act.Should().Throw<InvalidImageException>().Which.Images.Should().Equal(
            new InvalidImage(png, 2, "truncated: the data ends before the image does", "the training data"),
            new InvalidImage(text, 3, "not an image (no decoder recognises its contents)", "the training data"),
            new InvalidImage(folder.File("a/gone.jpg"), 4, "file not found", "the training data"),
            new InvalidImage("(empty path)", 5, "the path is empty", "the training data"));
    }

    [Fact]
    public void With_Skip_each_bad_row_is_left_out_and_reported()
    {
        using var folder = new ScratchFolder();
        var rows = GoodImages(folder);
        string png = folder.Write("a/cut.png", Truncated(MLNetImages.Encode(40, 30, 1, SKEncodedImageFormat.Png)));
        rows.InsertRange(1, [new ImageRow { ImagePath = "a/cut.png", Label = "a" }, new ImageRow { ImagePath = "b/gone.jpg", Label = "b" }]);
        rows.Add(new ImageRow { ImagePath = "a/cut.png", Label = "a" });
        var reported = new List<InvalidImage>();

        var trainer = Trainer(folder.Path, InvalidImageHandling.Skip, m => { if (m.SkippedImage is { } s) reported.Add(s); });
        var report = trainer.Train(Prepared(rows, folder.Path)).Report;

        reported.Select(r => (r.Path, r.Row)).Should().Equal((png, 1L), (folder.File("b/gone.jpg"), 2L), (png, 10L));
        report.SkippedImages.Should().Equal(reported);
        report.TrainingImages.Should().Be(8);
    }

    [Fact]
    public void Paths_resolve_under_ImageFolder_or_as_given_and_the_others_are_counted_as_unchecked()
    {
        using var folder = new ScratchFolder();
        var relative = GoodImages(folder);
        var absolute = relative.Select(r => new ImageRow { ImagePath = folder.File(r.ImagePath), Label = r.Label }).ToList();
        var notes = new List<string>();

        Trainer(folder.Path).Train(Prepared(relative, folder.Path)).Report.CheckedImageFiles.Should().Be(8);
        Trainer(null).Train(Prepared(absolute, folder.Path)).Report.CheckedImageFiles.Should().Be(8);
        var report = Trainer(null, callback: m => { if (m.Message is { } s) notes.Add(s); }).Train(Prepared(relative, folder.Path)).Report;

        (report.CheckedImageFiles, report.UncheckedImageFiles).Should().Be((0, 8));
        notes[0].Should().Contain("8 not checked: their relative paths resolve neither under Options.ImageFolder nor as given");
    }

    [Fact]
    public void An_unchecked_file_the_pipeline_cannot_load_is_named_or_skipped_and_the_rows_after_it_are_read()
    {
        using var folder = new ScratchFolder();
        var rows = GoodImages(folder);
        folder.Write("b/notes.jpg", "plain text"u8.ToArray());
        rows.Insert(3, new ImageRow { ImagePath = "b/notes.jpg", Label = "b" });
        rows.Insert(5, new ImageRow { ImagePath = "b/gone.jpg", Label = "b" });
        var data = Prepared(rows, folder.Path);

        var thrown = ((Action)(() => Trainer(null).Train(data))).Should().Throw<InvalidImageException>().Which;
        var skipped = Trainer(null, InvalidImageHandling.Skip).Train(data).Report;

        thrown.Images.Should().ContainSingle().Which.Should().Match<InvalidImage>(i => i.Path == "b/notes.jpg" && i.Row == 3 && i.Reason.Contains("Invalid input stream contents"));
        thrown.InnerException.Should().BeOfType<ArgumentException>();
        skipped.SkippedImages.Select(i => (i.Path, i.Row)).Should().Equal(("b/notes.jpg", 3L), (folder.File("b/gone.jpg"), 5L));
        skipped.TrainingImages.Should().Be(8);
    }

    [Fact]
    public void Without_a_path_column_an_error_names_the_row()
    {
        using var folder = new ScratchFolder();
        var rows = GoodImages(folder);
        folder.Write("a/notes.jpg", "plain text"u8.ToArray());
        rows.Insert(1, new ImageRow { ImagePath = "a/notes.jpg", Label = "a" });

        var act = () => Trainer(folder.Path).Train(Prepared(rows, folder.Path, pathColumn: "File"));

        var e = act.Should().Throw<InvalidImageException>().Which;
        e.FileName.Should().BeNull();
        e.Message.Should().Contain("row 1 of the training data: ArgumentException: Invalid input stream contents");
    }
}
