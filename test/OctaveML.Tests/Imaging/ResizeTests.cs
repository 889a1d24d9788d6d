using OctaveML.Imaging;
using Xunit.Abstractions;

namespace OctaveML.Tests.Imaging;

/// <summary>Resizing against Pillow's BILINEAR output placed as ML.NET places it (test/data/resize, made by the corpus script).</summary>
[Collection("Parallelism")]
public class ResizeTests(ITestOutputHelper output)
{
    public static IEnumerable<object[]> Cases =>
        File.ReadAllLines(Path.Combine(ImagingData.Folder("resize"), "cases.txt"))
            .Where(l => l.Length > 0 && l[0] != '#')
            .Select(l => new object[] { l });

    [Theory, MemberData(nameof(Cases))]
    public void Matches_pillow_bilinear_with_mlnet_placement(string line)
    {
        var f = line.Split(' ');
        string name = f[0];
        var src = ImageDecoder.Decode(Path.Combine(ImagingData.Folder("resize"), f[1] + ".png"));
        int w = int.Parse(f[2]), h = int.Parse(f[3]);
        var kind = Enum.Parse<ResizingKind>(f[4]);
        var anchor = Enum.Parse<Anchor>(f[5]);

        var plan = ImageResizer.Plan(src.Width, src.Height, w, h, kind, anchor);
        plan.Should().Be(new ResizePlacement(int.Parse(f[6]), int.Parse(f[7]), int.Parse(f[8]), int.Parse(f[9])));

        var ours = ImageResizer.Resize(src, w, h, kind, anchor);
        var expected = ImageDecoder.Decode(Path.Combine(ImagingData.Folder("resize"), name + ".png"));
        ours.Width.Should().Be(w);
        ours.Height.Should().Be(h);
        var (max, mean) = ImagingData.Diff(ours.Pixels, expected.Pixels);
        output.WriteLine($"{name}: max |diff| {max}, mean {mean:0.####}");
        max.Should().BeLessThanOrEqualTo(2);
        mean.Should().BeLessThan(0.5);
        max.Should().Be(0, "the fixed-point arithmetic is Pillow's, so the bytes should be identical");
    }

    [Fact]
    public void Grayscale_matches_pillow()
    {
        var src = ImageDecoder.Decode(Path.Combine(ImagingData.Folder("resize"), "source.png"), new DecodeOptions { Grayscale = true });
        var (w, h, c, expected) = ImagingData.ReadNetpbm(Path.Combine(ImagingData.Folder("resize"), "source_gray_37x23_fill.pgm"));
        c.Should().Be(1);
        var ours = ImageResizer.Resize(src, w, h, ResizingKind.Fill);
        ours.Channels.Should().Be(1);
        ImagingData.Diff(ours.Pixels, expected).Max.Should().Be(0);
    }

    // ML.NET's arithmetic by hand: 300x200 into 224x224.
    // IsoCrop: widthAspect 0.74667 < heightAspect 1.12, so aspect = 1.12, scaled 336x224, width cropped:
    //   Center x = (int)((224 - 336) / 2) = -56, Left 0, Right (int)(224 - 336) = -112; Top/Bottom centre.
    // IsoPad: aspect = 0.74667, scaled 224x149 ((int)149.33), y = (int)((224 - 149.33) / 2) = 37.
    [Theory]
    [InlineData(ResizingKind.IsoCrop, Anchor.Center, -56, 0, 336, 224)]
    [InlineData(ResizingKind.IsoCrop, Anchor.Left, 0, 0, 336, 224)]
    [InlineData(ResizingKind.IsoCrop, Anchor.Right, -112, 0, 336, 224)]
    [InlineData(ResizingKind.IsoCrop, Anchor.Top, -56, 0, 336, 224)]
    [InlineData(ResizingKind.IsoCrop, Anchor.Bottom, -56, 0, 336, 224)]
    [InlineData(ResizingKind.IsoPad, Anchor.Center, 0, 37, 224, 149)]
    [InlineData(ResizingKind.IsoPad, Anchor.Left, 0, 37, 224, 149)]
    [InlineData(ResizingKind.Fill, Anchor.Right, 0, 0, 224, 224)]
    public void Placement_matches_mlnet_landscape(ResizingKind kind, Anchor anchor, int x, int y, int w, int h) =>
        ImageResizer.Plan(300, 200, 224, 224, kind, anchor).Should().Be(new ResizePlacement(x, y, w, h));

    // Portrait 100x250 into 50x40: widthAspect 0.5 > heightAspect 0.16: IsoCrop aspect 0.5 -> 50x125,
    // Top 0, Bottom (int)(40 - 125) = -85, Center (int)(-85 / 2) = -42; IsoPad aspect 0.16 -> 16x40, x = 17.
    [Theory]
    [InlineData(ResizingKind.IsoCrop, Anchor.Top, 0, 0, 50, 125)]
    [InlineData(ResizingKind.IsoCrop, Anchor.Bottom, 0, -85, 50, 125)]
    [InlineData(ResizingKind.IsoCrop, Anchor.Center, 0, -42, 50, 125)]
    [InlineData(ResizingKind.IsoCrop, Anchor.Left, 0, -42, 50, 125)]
    [InlineData(ResizingKind.IsoPad, Anchor.Center, 17, 0, 16, 40)]
    public void Placement_matches_mlnet_portrait(ResizingKind kind, Anchor anchor, int x, int y, int w, int h) =>
        ImageResizer.Plan(100, 250, 50, 40, kind, anchor).Should().Be(new ResizePlacement(x, y, w, h));

    [Fact]
    public void Pad_is_black_and_image_is_centred()
    {
        var white = new Image(40, 20, 3, Enumerable.Repeat((byte)255, 40 * 20 * 3).ToArray());
        var r = ImageResizer.Resize(white, 20, 20, ResizingKind.IsoPad);
        // Scaled to 20x10 at y = 5: rows 0-4 and 15-19 black, rows 5-14 white.
        for (int y = 0; y < 20; y++)
            r[10, y, 0].Should().Be(y is >= 5 and < 15 ? (byte)255 : (byte)0, $"row {y}");
    }

    [Fact]
    public void Same_size_fill_is_the_identity_and_threads_do_not_change_results()
    {
        var img = ImagingData.Noise(97, 61, 3, 5);
        ImageResizer.Resize(img, 97, 61, ResizingKind.Fill).Pixels.Should().Equal(img.Pixels);
        var big = ImagingData.Noise(640, 480, 3, 6);
        int saved = OctaveML.Threading.Parallelism.Threads;
        try
        {
            OctaveML.Threading.Parallelism.Threads = 1;
            var one = ImageResizer.Resize(big, 224, 224);
            OctaveML.Threading.Parallelism.Threads = 2;
            ImageResizer.Resize(big, 224, 224).Pixels.Should().Equal(one.Pixels);
        }
        finally { OctaveML.Threading.Parallelism.Threads = saved; }
    }

    [Fact]
    public void Bad_arguments_name_the_argument()
    {
        var img = ImagingData.Noise(4, 4, 3, 1);
        FluentActions.Invoking(() => ImageResizer.Resize(img, 0, 4)).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("width");
        FluentActions.Invoking(() => ImageResizer.Resize(img, 4, -1)).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("height");
        FluentActions.Invoking(() => ImageResizer.Resize(img, 4, 4, (ResizingKind)7)).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("kind");
    }
}
