using OctaveML.Imaging;

namespace OctaveML.Tests.Imaging;

public class PixelExtractorTests
{
    // A 2x1 RGB image: pixel 0 = (10, 20, 30), pixel 1 = (40, 50, 60).
    private static readonly Image Rgb = new(2, 1, 3, [10, 20, 30, 40, 50, 60]);
    private static readonly Image Gray = new(2, 1, 1, [0, 255]);

    [Fact]
    public void Planar_rgb_by_default()
    {
        PixelExtractor.Extract(Rgb).Should().Equal(10f, 40f, 20f, 50f, 30f, 60f);
    }

    [Fact]
    public void Interleaved_bgr()
    {
        PixelExtractor.Extract(Rgb, new PixelExtractionOptions { Interleave = true, Order = ColorOrder.Bgr })
            .Should().Equal(30f, 20f, 10f, 60f, 50f, 40f);
    }

    [Fact]
    public void Planar_bgr()
    {
        PixelExtractor.Extract(Rgb, new PixelExtractionOptions { Order = ColorOrder.Bgr })
            .Should().Equal(30f, 60f, 20f, 50f, 10f, 40f);
    }

    [Fact]
    public void Offset_then_scale_as_mlnet()
    {
        // (pixel - offset) * scale: (10 - 5) * 0.5 = 2.5 ...
        PixelExtractor.Extract(Rgb, new PixelExtractionOptions { Offset = 5, Scale = 0.5f })
            .Should().Equal(2.5f, 17.5f, 7.5f, 22.5f, 12.5f, 27.5f);
    }

    [Fact]
    public void Mean_std_per_colour_in_rgb_order_even_when_output_is_bgr()
    {
        var o = new PixelExtractionOptions { Order = ColorOrder.Bgr, Mean = [0.1f, 0.2f, 0.3f], Std = [0.5f, 0.25f, 2f] };
        float[] v = PixelExtractor.Extract(Rgb, o);
        // Blue plane first: (30/255 - 0.3) / 2, (60/255 - 0.3) / 2.
        v[0].Should().BeApproximately((30f / 255f - 0.3f) / 2f, 1e-6f);
        v[1].Should().BeApproximately((60f / 255f - 0.3f) / 2f, 1e-6f);
        v[2].Should().BeApproximately((20f / 255f - 0.2f) / 0.25f, 1e-6f);
        v[4].Should().BeApproximately((10f / 255f - 0.1f) / 0.5f, 1e-6f);
        v[5].Should().BeApproximately((40f / 255f - 0.1f) / 0.5f, 1e-6f);
    }

    [Fact]
    public void ImageNet_preset()
    {
        float[] v = PixelExtractor.Extract(Gray, PixelExtractionOptions.ImageNet);
        // Gray replicated to three planes: 0 -> -mean/std, 255 -> (1 - mean)/std.
        v[0].Should().BeApproximately(-0.485f / 0.229f, 1e-5f);
        v[1].Should().BeApproximately((1f - 0.485f) / 0.229f, 1e-5f);
        v[5].Should().BeApproximately((1f - 0.406f) / 0.225f, 1e-5f);
    }

    [Fact]
    public void Colour_to_one_channel_uses_pillow_luma()
    {
        // (10*19595 + 20*38470 + 30*7471 + 32768) >> 16 = 18; (40, 50, 60) -> 48.
        PixelExtractor.Extract(Rgb, new PixelExtractionOptions { Channels = 1 }).Should().Equal(18f, 48f);
        PixelExtractor.Extract(Gray, new PixelExtractionOptions { Channels = 1, Scale = 1f / 255 }).Should().Equal(0f, 1f);
    }

    [Fact]
    public void Writes_into_a_slice_of_a_batch()
    {
        var batch = new float[3 * 6];
        PixelExtractor.Extract(Rgb, batch.AsSpan(6, 6));
        batch[..6].Should().OnlyContain(x => x == 0f);
        batch[6..12].Should().Equal(10f, 40f, 20f, 50f, 30f, 60f);
        batch[12..].Should().OnlyContain(x => x == 0f);
    }

    [Fact]
    public void Validates_destination_and_options()
    {
        FluentActions.Invoking(() => PixelExtractor.Extract(Rgb, new float[5])).Should().Throw<ArgumentException>()
            .WithParameterName("destination").Which.Message.Should().Contain("needs exactly 6");
        FluentActions.Invoking(() => PixelExtractor.Extract(Rgb, new PixelExtractionOptions { Channels = 2 })).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => PixelExtractor.Extract(Rgb, new PixelExtractionOptions { Mean = [0.5f] })).Should().Throw<ArgumentException>().WithParameterName("Mean");
        FluentActions.Invoking(() => PixelExtractor.Extract(Rgb, new PixelExtractionOptions { Mean = [0, 0, 0], Scale = 2 })).Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => PixelExtractor.Extract(Rgb, new PixelExtractionOptions { Scale = 0 })).Should().Throw<ArgumentException>().WithParameterName("Scale");
        PixelExtractor.OutputLength(Rgb, new PixelExtractionOptions { Channels = 1 }).Should().Be(2);
    }
}
