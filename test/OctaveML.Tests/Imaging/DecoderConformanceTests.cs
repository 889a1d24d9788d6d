using OctaveML.Imaging;

namespace OctaveML.Tests.Imaging;

/// <summary>Every corpus file decodes to exactly the pixels Pillow (or the generator's source, see the script) gives.</summary>
public class DecoderConformanceTests
{
    public static IEnumerable<object[]> PngFiles => ImagingData.Files("png");
    public static IEnumerable<object[]> BmpFiles => ImagingData.Files("bmp");
    public static IEnumerable<object[]> PnmFiles => ImagingData.Files("pnm");

    [Fact]
    public void The_corpus_is_there()
    {
        PngFiles.Count().Should().BeGreaterThan(50);
        BmpFiles.Count().Should().BeGreaterThan(20);
        PnmFiles.Count().Should().Be(4);
    }

    [Theory, MemberData(nameof(PngFiles))]
    public void Png_matches_pillow(string file) => Check("png", file);

    [Theory, MemberData(nameof(BmpFiles))]
    public void Bmp_matches_pillow(string file) => Check("bmp", file);

    [Theory, MemberData(nameof(PnmFiles))]
    public void Pnm_matches_pillow(string file) => Check("pnm", file);

    private static void Check(string folder, string file)
    {
        string path = Path.Combine(ImagingData.Folder(folder), file);
        var (w, h, c, expected) = ImagingData.ReadNetpbm(ImagingData.ExpectedPath(path));
        c.Should().Be(3);

        var rgb = ImageDecoder.Decode(path);
        rgb.Width.Should().Be(w);
        rgb.Height.Should().Be(h);
        rgb.Channels.Should().Be(3);
        var (max, _) = ImagingData.Diff(rgb.Pixels, expected);
        max.Should().Be(0, $"{file} must decode to Pillow's pixels exactly");

        // Grayscale: Pillow's convert('L') luma of the same pixels (gray sources stay as they are).
        var gray = ImageDecoder.Decode(path, new DecodeOptions { Grayscale = true });
        gray.Channels.Should().Be(1);
        gray.Pixels.Should().Equal(ImagingData.Luma(expected));

        // The format-specific decoder agrees with the dispatcher, from memory.
        byte[] data = File.ReadAllBytes(path);
        Image direct = folder switch
        {
            "png" => PngDecoder.Decode(data),
            "bmp" => BmpDecoder.Decode(data),
            _ => PnmDecoder.Decode(data),
        };
        direct.Pixels.Should().Equal(rgb.Pixels);
    }

    [Fact]
    public void Rle_bmp_is_reported_as_unsupported()
    {
        string path = Path.Combine(ImagingData.Folder("bmp"), "im_rle8.bmp");
        var act = () => ImageDecoder.Decode(path);
        act.Should().Throw<UnsupportedImageFormatException>().Which.Message.Should().Contain("im_rle8.bmp").And.Contain("RLE8");
    }

    [Fact]
    public void Sniffing_uses_the_bytes_not_the_name()
    {
        byte[] png = File.ReadAllBytes(Path.Combine(ImagingData.Folder("png"), "rgb8.png"));
        ImageDecoder.DetectFormat(png).Should().Be("png");
        ImageDecoder.Decode(png, null, "looks_like.bmp").Width.Should().Be(27);
        ImageDecoder.DetectFormat(File.ReadAllBytes(Path.Combine(ImagingData.Folder("bmp"), "rgb24.bmp"))).Should().Be("bmp");
        ImageDecoder.DetectFormat(File.ReadAllBytes(Path.Combine(ImagingData.Folder("pnm"), "gray8.pgm"))).Should().Be("pnm");
        ImageDecoder.DetectFormat("GIF89a"u8).Should().BeNull();
    }

    [Fact]
    public void Missing_file_is_an_io_error_not_a_format_error()
    {
        var act = () => ImageDecoder.Decode(Path.Combine(ImagingData.Folder("png"), "no_such_file.png"));
        act.Should().Throw<FileNotFoundException>();
    }
}
