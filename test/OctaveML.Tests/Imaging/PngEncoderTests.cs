using OctaveML.Imaging;

namespace OctaveML.Tests.Imaging;

public class PngEncoderTests
{
    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(1, 1, 3)]
    [InlineData(33, 17, 1)]
    [InlineData(33, 17, 3)]
    [InlineData(200, 3, 3)]
    public void Round_trips_noise(int w, int h, int c)
    {
        var img = ImagingData.Noise(w, h, c, w * 31 + h + c);
        byte[] png = PngEncoder.Encode(img);
        PngDecoder.IsPng(png).Should().BeTrue();
        var back = PngDecoder.Decode(png, new DecodeOptions { Grayscale = c == 1 });
        back.Width.Should().Be(w);
        back.Height.Should().Be(h);
        back.Channels.Should().Be(c);
        back.Pixels.Should().Equal(img.Pixels);
    }

    [Fact]
    public void Round_trips_a_photo_and_compresses_it()
    {
        var photo = ImageDecoder.Decode(Path.Combine(ImagingData.Folder("resize"), "source.png"));
        byte[] png = PngEncoder.Encode(photo);
        PngDecoder.Decode(png).Pixels.Should().Equal(photo.Pixels);
        png.Length.Should().BeLessThan(photo.Pixels.Length, "a photograph compresses under PNG filters + deflate");
        // A smooth gradient compresses far below its raw size thanks to the row filters.
        var grad = new byte[256 * 64 * 3];
        for (int y = 0; y < 64; y++) for (int x = 0; x < 256; x++) for (int ch = 0; ch < 3; ch++) grad[(y * 256 + x) * 3 + ch] = (byte)(x + y + ch);
        PngEncoder.Encode(new Image(256, 64, 3, grad)).Length.Should().BeLessThan(grad.Length / 20);
    }

    [Fact]
    public void Saves_to_a_file_the_dispatcher_reads()
    {
        var img = ImagingData.Noise(12, 9, 3, 7);
        string path = Path.Combine(Path.GetTempPath(), $"octaveml_png_{Guid.NewGuid():N}.png");
        try
        {
            PngEncoder.Save(img, path);
            ImageDecoder.Decode(path).Pixels.Should().Equal(img.Pixels);
        }
        finally { File.Delete(path); }
    }
}
