using System.Buffers.Binary;
using OctaveML.Data;
using OctaveML.Imaging;

namespace OctaveML.Tests.Data;

public class ImageFolderDatasetTests
{
    private static readonly ImageFolderOptions Small = new() { Width = 2, Height = 3, Resizing = ResizingKind.Fill, Workers = 2 };

    private static void SolidPng(string path, int w, int h, byte r, byte g, byte b)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var px = new byte[w * h * 3];
        for (int i = 0; i < w * h; i++) { px[3 * i] = r; px[3 * i + 1] = g; px[3 * i + 2] = b; }
        PngEncoder.Save(new Image(w, h, 3, px), path);
    }

    /// <summary>A 24-bit bottom-up BMP written by hand (BGR rows padded to 4 bytes).</summary>
    private static void SolidBmp(string path, int w, int h, byte r, byte g, byte b)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        int stride = (w * 3 + 3) & ~3, size = 54 + stride * h;
        var f = new byte[size];
        f[0] = (byte)'B'; f[1] = (byte)'M';
        BinaryPrimitives.WriteInt32LittleEndian(f.AsSpan(2), size);
        BinaryPrimitives.WriteInt32LittleEndian(f.AsSpan(10), 54);
        BinaryPrimitives.WriteInt32LittleEndian(f.AsSpan(14), 40);
        BinaryPrimitives.WriteInt32LittleEndian(f.AsSpan(18), w);
        BinaryPrimitives.WriteInt32LittleEndian(f.AsSpan(22), h);
        BinaryPrimitives.WriteInt16LittleEndian(f.AsSpan(26), 1);
        BinaryPrimitives.WriteInt16LittleEndian(f.AsSpan(28), 24);
        BinaryPrimitives.WriteInt32LittleEndian(f.AsSpan(34), stride * h);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) { int o = 54 + y * stride + 3 * x; f[o] = b; f[o + 1] = g; f[o + 2] = r; }
        File.WriteAllBytes(path, f);
    }

    private static float[] Pixels(IImageDataset ds, int i)
    {
        var v = new float[ds.ImageSize()];
        ds.GetImage(i, v);
        return v;
    }

    private static void ShouldBeSolid(float[] chw, params byte[] rgb)
    {
        int plane = chw.Length / rgb.Length;
        for (int c = 0; c < rgb.Length; c++)
            chw.AsSpan(c * plane, plane).ToArray().Should().AllBeEquivalentTo(rgb[c] / 255f, $"channel {c}");
    }

    [Fact]
    public void FolderPerClassIsOrderedOrdinallyAndDecodedPlanar()
    {
        using var tmp = new DataFiles.TempFolder();
        string root = tmp.Path;
        SolidPng(Path.Combine(root, "cat", "2.png"), 4, 4, 10, 20, 30);
        SolidPng(Path.Combine(root, "cat", "10.PNG"), 5, 3, 40, 50, 60);
        SolidPng(Path.Combine(root, "cat", "sub", "a.png"), 2, 2, 70, 80, 90);
        SolidBmp(Path.Combine(root, "Dog", "x.bmp"), 3, 5, 200, 100, 0);
        File.WriteAllText(Path.Combine(root, "cat", "notes.txt"), "not an image");
        File.WriteAllText(Path.Combine(root, "README"), "not a class");

        var ds = ImageFolderDataset.FromFolder(root, Small);
        ds.ClassNames.Should().Equal("Dog", "cat"); // ordinal: uppercase first
        ds.Files.Select(f => Path.GetRelativePath(root, f)).Should().Equal(
            Path.Combine("Dog", "x.bmp"), Path.Combine("cat", "10.PNG"), Path.Combine("cat", "2.png"), Path.Combine("cat", "sub", "a.png"));
        ds.GetLabels().Should().Equal(0, 1, 1, 1);
        ds.IgnoredFiles.Select(Path.GetFileName).Should().BeEquivalentTo("README", "notes.txt");
        (ds.Channels, ds.Height, ds.Width).Should().Be((3, 3, 2));
        ShouldBeSolid(Pixels(ds, 0), 200, 100, 0);
        ShouldBeSolid(Pixels(ds, 1), 40, 50, 60);
        ShouldBeSolid(Pixels(ds, 3), 70, 80, 90);
    }

    [Fact]
    public void GrayscaleGivesOneChannel()
    {
        using var tmp = new DataFiles.TempFolder();
        SolidPng(Path.Combine(tmp.Path, "a", "1.png"), 4, 4, 90, 90, 90);
        var ds = ImageFolderDataset.FromFolder(tmp.Path, Small with { Grayscale = true });
        ds.Channels.Should().Be(1);
        ShouldBeSolid(Pixels(ds, 0), 90);
    }

    [Fact]
    public void BadFilesAreAllListedByDefaultAndSkippedWithReportsOnRequest()
    {
        using var tmp = new DataFiles.TempFolder();
        string root = tmp.Path;
        SolidPng(Path.Combine(root, "a", "good1.png"), 4, 4, 1, 2, 3);
        SolidPng(Path.Combine(root, "b", "good2.png"), 4, 4, 4, 5, 6);
        var png = File.ReadAllBytes(Path.Combine(root, "a", "good1.png"));
        File.WriteAllBytes(Path.Combine(root, "a", "truncated.png"), png[..(png.Length - 20)]);
        File.WriteAllBytes(Path.Combine(root, "b", "empty.png"), []);
        File.WriteAllText(Path.Combine(root, "b", "text.jpg"), "hello, not a jpeg");

        var e = FluentActions.Invoking(() => ImageFolderDataset.FromFolder(root, Small))
            .Should().Throw<BadImageFilesException>().Which;
        e.Files.Select(f => Path.GetFileName(f.Path)).Should().Equal("truncated.png", "empty.png", "text.jpg");
        e.Files.Should().OnlyContain(f => f.Reason.Length > 0);
        e.Message.Should().Contain("3 bad image files").And.Contain("truncated.png").And.Contain("empty.png").And.Contain("text.jpg").And.Contain(root);

        var reported = new ListProgress();
        var ds = ImageFolderDataset.FromFolder(root, Small with { SkipBadFiles = true, OnSkipped = reported });
        ds.Count.Should().Be(2);
        ds.GetLabels().Should().Equal(0, 1);
        ds.SkippedFiles.Should().HaveCount(3);
        reported.Items.Should().Equal(ds.SkippedFiles);
        ShouldBeSolid(Pixels(ds, 1), 4, 5, 6);
    }

    [Fact]
    public void WithoutValidationOnlyMissingFilesAreFoundAtLoadAndDecodeErrorsSurfaceLater()
    {
        using var tmp = new DataFiles.TempFolder();
        SolidPng(Path.Combine(tmp.Path, "a", "ok.png"), 4, 4, 1, 2, 3);
        File.WriteAllText(Path.Combine(tmp.Path, "a", "bad.png"), "junk");
        var ds = ImageFolderDataset.FromFolder(tmp.Path, Small with { ValidateOnLoad = false });
        ds.Count.Should().Be(2);
        FluentActions.Invoking(() => Pixels(ds, 0)).Should().Throw<ImageFormatException>().Which.FileName.Should().EndWith("bad.png");
    }

    [Fact]
    public void CacheKeepsResizedBytesWithinItsBudget()
    {
        using var tmp = new DataFiles.TempFolder();
        for (int i = 0; i < 4; i++) SolidPng(Path.Combine(tmp.Path, "c", $"{i}.png"), 4, 4, (byte)(i * 10), 0, 0);
        var ds = ImageFolderDataset.FromFolder(tmp.Path, Small with { CacheBytes = 1 << 20 });
        ds.CachedBytes.Should().Be(4 * 2 * 3 * 3);
        foreach (var f in ds.Files) File.Delete(f); // served from the cache from now on
        ShouldBeSolid(Pixels(ds, 3), 30, 0, 0);

        using var tmp2 = new DataFiles.TempFolder();
        for (int i = 0; i < 4; i++) SolidPng(Path.Combine(tmp2.Path, "c", $"{i}.png"), 4, 4, 0, 0, 0);
        var small = ImageFolderDataset.FromFolder(tmp2.Path, Small with { CacheBytes = 40 });
        small.CachedBytes.Should().Be(36); // two 18-byte images fit in 40 bytes, not three
    }

    [Fact]
    public void ManifestWithHeaderQuotesAndRelativePaths()
    {
        using var tmp = new DataFiles.TempFolder();
        SolidPng(tmp.File("img, one.png"), 4, 4, 9, 9, 9);
        SolidPng(Path.Combine(tmp.Path, "sub", "two.png"), 4, 4, 8, 8, 8);
        string abs = Path.Combine(tmp.Path, "abs.png");
        SolidPng(abs, 4, 4, 7, 7, 7);
        string csv = tmp.File("list.csv");
        File.WriteAllLines(csv, ["label,path,extra", "zebra,\"img, one.png\",x", "", "apple,sub/two.png,y", $"zebra,\"{abs}\",z"]);
        var ds = ImageFolderDataset.FromManifest(csv, Small);
        ds.ClassNames.Should().Equal("apple", "zebra");
        ds.GetLabels().Should().Equal(1, 0, 1);
        ShouldBeSolid(Pixels(ds, 0), 9, 9, 9);
        ShouldBeSolid(Pixels(ds, 1), 8, 8, 8);
    }

    [Fact]
    public void TsvWithoutHeaderAndNumericLabels()
    {
        using var tmp = new DataFiles.TempFolder();
        SolidPng(tmp.File("a.png"), 4, 4, 1, 1, 1);
        SolidPng(tmp.File("b.png"), 4, 4, 2, 2, 2);
        string tsv = tmp.File("list.tsv");
        File.WriteAllLines(tsv, ["a.png\t10", "b.png\t2"]);
        var ds = ImageFolderDataset.FromManifest(tsv, Small);
        ds.ClassNames.Should().HaveCount(11);
        ds.GetLabels().Should().Equal(10, 2);

        var named = ImageFolderDataset.FromManifest(tsv, Small with { ClassNames = [.. Enumerable.Range(0, 12).Select(i => i.ToString()).Reverse()] });
        named.GetLabels().Should().Equal(1, 9);
    }

    [Fact]
    public void ManifestErrorsNameFileAndLine()
    {
        using var tmp = new DataFiles.TempFolder();
        SolidPng(tmp.File("a.png"), 4, 4, 1, 1, 1);
        string csv = tmp.File("m.csv");

        File.WriteAllLines(csv, ["a.png,x", "", "only-one-field"]);
        var e = FluentActions.Invoking(() => ImageFolderDataset.FromManifest(csv, Small)).Should().Throw<DatasetFormatException>().Which;
        (e.FileName, e.Line).Should().Be((csv, 3));
        e.Message.Should().Contain($"{csv}: line 3").And.Contain("expected at least 2");

        File.WriteAllLines(csv, ["a.png,x", "\"a.png,y"]);
        FluentActions.Invoking(() => ImageFolderDataset.FromManifest(csv, Small)).Should().Throw<DatasetFormatException>()
            .Which.Message.Should().Contain("line 2").And.Contain("not closed");

        File.WriteAllLines(csv, ["a.png,x", "a.png,y"]);
        FluentActions.Invoking(() => ImageFolderDataset.FromManifest(csv, Small with { ClassNames = ["x"] })).Should().Throw<DatasetFormatException>()
            .Which.Message.Should().Contain("line 2").And.Contain("\"y\" is not a known class");

        File.WriteAllLines(csv, ["path,label", "a.png,x", "missing.png,y", "gone/too.png,y"]);
        var bad = FluentActions.Invoking(() => ImageFolderDataset.FromManifest(csv, Small)).Should().Throw<BadImageFilesException>().Which;
        bad.Files.Select(f => f.ManifestLine).Should().Equal(3, 4);
        bad.Files.Should().OnlyContain(f => f.Reason.StartsWith("file not found"));
        bad.Message.Should().Contain("missing.png (manifest line 3): file not found");
    }

    [Fact]
    public void LoaderDecodesInParallelWithTheSameResult()
    {
        using var tmp = new DataFiles.TempFolder();
        for (int i = 0; i < 12; i++) SolidPng(Path.Combine(tmp.Path, $"k{i % 3}", $"{i:D2}.png"), 5, 4, (byte)(i * 20), (byte)i, 3);
        var ds = ImageFolderDataset.FromFolder(tmp.Path, Small with { ValidateOnLoad = false });
        float[][] Run(int workers) => new DataLoader(ds, new DataLoaderOptions { BatchSize = 5, Seed = 1, Workers = workers })
            .GetEpoch(0).Select(b => b.Images.Data).ToArray();
        var one = Run(1);
        var two = Run(2);
        one.Should().HaveCount(3);
        for (int i = 0; i < one.Length; i++) two[i].Should().Equal(one[i]);

        // A file that breaks after loading reaches the consumer as the decoder's own exception.
        File.WriteAllText(ds.Files[7], "now junk");
        var act = () => { foreach (var b in new DataLoader(ds, new DataLoaderOptions { BatchSize = 5, Workers = 2 }).GetEpoch(0)) { } };
        act.Should().Throw<ImageFormatException>().Which.FileName.Should().Be(ds.Files[7]);
    }

    private sealed class ListProgress : IProgress<BadImageFile>
    {
        public List<BadImageFile> Items { get; } = [];
        public void Report(BadImageFile value) => Items.Add(value);
    }
}
