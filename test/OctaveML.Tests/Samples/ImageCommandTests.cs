using System.Text;
using OctaveML.Imaging;
using OctaveML.Samples.Commands;

namespace OctaveML.Tests.Samples;

public class ImageCommandTests
{
    [Fact]
    public void DecodeWritesBinaryPpmWithTheDecodedBytes()
    {
        using var t = new TempFolder();
        var source = TempFolder.Gradient(5, 3);
        PngEncoder.Save(source, t.File("in.png"));
        var o = new StringWriter(); var e = new StringWriter();
        Cli.Run(["decode", t.File("in.png"), "--out", t.File("out.ppm")], o, e).Should().Be(0, e.ToString());

        byte[] file = File.ReadAllBytes(t.File("out.ppm"));
        byte[] header = Encoding.ASCII.GetBytes("P6\n5 3\n255\n");
        file.AsSpan(0, header.Length).ToArray().Should().Equal(header);
        file.AsSpan(header.Length).ToArray().Should().Equal(source.Pixels);
        // Our own PNM decoder reads it back to the same pixels.
        ImageDecoder.Decode(t.File("out.ppm")).Pixels.Should().Equal(source.Pixels);
    }

    [Fact]
    public void DecodeToPgmIsGrayscale()
    {
        using var t = new TempFolder();
        PngEncoder.Save(TempFolder.Gradient(4, 2), t.File("in.png"));
        var image = DecodeCommand.Run(t.File("in.png"), t.File("out.pgm"));
        image.Channels.Should().Be(1);
        byte[] file = File.ReadAllBytes(t.File("out.pgm"));
        Encoding.ASCII.GetString(file, 0, 3).Should().Be("P5\n");
        file.Length.Should().Be("P5\n4 2\n255\n".Length + 8);
    }

    [Theory]
    [InlineData("crop")]
    [InlineData("pad")]
    [InlineData("fill")]
    public void PreviewWritesThePngTheModelSees(string resize)
    {
        using var t = new TempFolder();
        var source = TempFolder.Gradient(40, 20);
        PngEncoder.Save(source, t.File("in.png"));
        var o = new StringWriter(); var e = new StringWriter();
        Cli.Run(["preview", t.File("in.png"), "--size", "16", "--resize", resize, "--out", t.File("p.png")], o, e).Should().Be(0, e.ToString());

        var written = ImageDecoder.Decode(t.File("p.png"));
        var expected = ImageResizer.Resize(source, 16, 16, PreviewCommand.Resizings[resize]);
        written.Width.Should().Be(16);
        written.Height.Should().Be(16);
        written.Pixels.Should().Equal(expected.Pixels);
    }

    [Fact]
    public void MissingImageIsAUsageError()
    {
        var o = new StringWriter(); var e = new StringWriter();
        Cli.Run(["decode", "/no/such/image.png", "--out", "x.ppm"], o, e).Should().Be(2);
        e.ToString().Should().StartWith("error: image: /no/such/image.png does not exist");
    }
}
