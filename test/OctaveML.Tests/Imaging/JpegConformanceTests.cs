using OctaveML.Imaging;
using Xunit.Abstractions;

namespace OctaveML.Tests.Imaging;

/// <summary>Our decoder against libjpeg-turbo's djpeg on every corpus file: same size, max abs difference at most 2.</summary>
public class JpegConformanceTests(ITestOutputHelper output)
{
    public static TheoryData<string> Files() => new(JpegCorpus.Supported());

    public static TheoryData<string> GrayFiles() => new(
        Directory.GetFiles(JpegCorpus.Dir, "*.gray.*").Select(f => Path.GetFileName(f)!.Split('.')[0]).Order());

    [Theory]
    [MemberData(nameof(Files))]
    public void MatchesDjpeg(string file)
    {
        var expected = JpegCorpus.Reference(Path.GetFileNameWithoutExtension(file))!;
        expected.Should().NotBeNull();
        var image = JpegDecoder.Decode(JpegCorpus.Bytes(file), fileName: file);
        image.Channels.Should().Be(3, "colour output is RGB by default, also for gray JPEGs");
        int diff = JpegCorpus.MaxAbsDiff(image, expected);
        output.WriteLine($"maxdiff {file} {diff}");
        diff.Should().BeLessThanOrEqualTo(2);
    }

    [Theory]
    [MemberData(nameof(GrayFiles))]
    public void GrayscaleOptionMatchesDjpegGrayscale(string stem)
    {
        var expected = JpegCorpus.Reference(stem + ".gray")!;
        var image = JpegDecoder.Decode(JpegCorpus.Bytes(stem + ".jpg"), new DecodeOptions { Grayscale = true }, stem + ".jpg");
        image.Channels.Should().Be(1);
        int diff = JpegCorpus.MaxAbsDiff(image, expected);
        output.WriteLine($"maxdiff {stem}.gray {diff}");
        diff.Should().BeLessThanOrEqualTo(2);
    }

    [Theory]
    [InlineData("base_gray.jpg")]
    [InlineData("prog_gray_odd.jpg")]
    public void GrayJpegWithGrayscaleOptionIsOneChannelLuma(string file)
    {
        var expected = JpegCorpus.Reference(Path.GetFileNameWithoutExtension(file))!;
        var image = JpegDecoder.Decode(JpegCorpus.Bytes(file), new DecodeOptions { Grayscale = true });
        image.Channels.Should().Be(1);
        JpegCorpus.MaxAbsDiff(image, expected).Should().Be(0);
    }

    [Theory]
    [InlineData("cmyk_base")]
    [InlineData("cmyk_noadobe")]
    [InlineData("base_rgb")]
    public void GrayscaleOfNonYCbCrIsTheLumaOfItsRgb(string stem)
    {
        var rgb = JpegCorpus.Reference(stem)!;
        var luma = new byte[rgb.Width * rgb.Height];
        for (int i = 0; i < luma.Length; i++)
            luma[i] = (byte)((19595 * rgb.Pixels[3 * i] + 38470 * rgb.Pixels[3 * i + 1] + 7471 * rgb.Pixels[3 * i + 2] + 32768) >> 16);
        var image = JpegDecoder.Decode(JpegCorpus.Bytes(stem + ".jpg"), new DecodeOptions { Grayscale = true });
        image.Channels.Should().Be(1);
        JpegCorpus.MaxAbsDiff(image, new Image(rgb.Width, rgb.Height, 1, luma)).Should().BeLessThanOrEqualTo(1);
    }

    [Theory]
    [InlineData(1)] [InlineData(2)] [InlineData(3)] [InlineData(4)]
    [InlineData(5)] [InlineData(6)] [InlineData(7)] [InlineData(8)]
    public void ExifOrientationIsApplied(int orientation)
    {
        var expected = JpegCorpus.Reference($"orient_{orientation}")!;
        var image = JpegDecoder.Decode(JpegCorpus.Bytes($"orient_{orientation}.jpg"));
        (image.Width, image.Height).Should().Be((expected.Width, expected.Height));
        JpegCorpus.MaxAbsDiff(image, expected).Should().BeLessThanOrEqualTo(2);
        if (orientation >= 5) image.Width.Should().Be(23, "orientations 5-8 swap width and height (the file is 41x23)");
    }

    [Fact]
    public void ExifOrientationCanBeIgnored()
    {
        var upright = JpegCorpus.Reference("orient_1")!;
        var image = JpegDecoder.Decode(JpegCorpus.Bytes("orient_6.jpg"), new DecodeOptions { ApplyExifOrientation = false });
        JpegCorpus.MaxAbsDiff(image, upright).Should().BeLessThanOrEqualTo(2);
        image.Width.Should().Be(41);
    }

    [Theory]
    [InlineData("unsupported_arithmetic.jpg", "arithmetic")]
    [InlineData("unsupported_arithmetic_prog.jpg", "arithmetic")]
    [InlineData("unsupported_12bit.jpg", "12-bit")]
    public void UnsupportedVariantsSayWhy(string file, string reason)
    {
        var act = () => JpegDecoder.Decode(JpegCorpus.Bytes(file), fileName: file);
        var e = act.Should().Throw<UnsupportedImageFormatException>().Which;
        e.Reason.Should().Contain(reason);
        e.FileName.Should().Be(file);
        e.Message.Should().Contain(file);
    }

    [Fact]
    public void IsJpegSniffsTheSoiMarker()
    {
        JpegDecoder.IsJpeg(JpegCorpus.Bytes("base_420.jpg")).Should().BeTrue();
        JpegDecoder.IsJpeg(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }).Should().BeFalse();
        JpegDecoder.IsJpeg(new byte[] { 0xFF, 0xD8 }).Should().BeFalse();
        JpegDecoder.IsJpeg(ReadOnlySpan<byte>.Empty).Should().BeFalse();
    }
}

/// <summary>ImageDecoder recognises JPEGs by their bytes and hands them to <see cref="JpegDecoder"/>.</summary>
public class JpegDispatchTests
{
    [Fact]
    public void ImageDecoderDecodesJpegFiles()
    {
        string path = JpegCorpus.PathOf("base_420_odd.jpg");
        ImageDecoder.DetectFormat(File.ReadAllBytes(path)).Should().Be("jpeg");
        var viaDispatch = ImageDecoder.Decode(path);
        var direct = JpegDecoder.Decode(File.ReadAllBytes(path));
        viaDispatch.Pixels.Should().Equal(direct.Pixels);
        (viaDispatch.Width, viaDispatch.Height).Should().Be((97, 61));
        var gray = ImageDecoder.Decode(path, new DecodeOptions { Grayscale = true });
        gray.Channels.Should().Be(1);
    }

    [Fact]
    public void ImageDecoderNamesTheFileOfABadJpeg()
    {
        var data = JpegCorpus.Bytes("base_420.jpg")[..300];
        var act = () => ImageDecoder.Decode(data, null, "cut.jpg");
        act.Should().Throw<ImageFormatException>().Which.Message.Should().StartWith("cut.jpg: ");
    }
}
