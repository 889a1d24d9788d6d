using OctaveML.Imaging;

namespace OctaveML.Tests.Imaging;

/// <summary>Adam7 images of every size from 1x1 to 10x10 (empty passes, one-pixel passes) decode like the plain image.</summary>
public class Adam7SizesTests
{
    private static readonly int[] X0 = [0, 4, 0, 2, 0, 1, 0], Y0 = [0, 0, 4, 0, 2, 0, 1], Dx = [8, 8, 4, 4, 2, 2, 1], Dy = [8, 8, 8, 4, 4, 2, 2];

    [Fact]
    public void Every_small_size_decodes_like_the_plain_image()
    {
        for (int w = 1; w <= 10; w++)
            for (int h = 1; h <= 10; h++)
            {
                var img = ImagingData.Noise(w, h, 3, w * 100 + h);
                // Raw Adam7 scanlines, filter 0 (None) for every row.
                var raw = new List<byte>();
                for (int p = 0; p < 7; p++)
                    for (int y = Y0[p]; y < h; y += Dy[p])
                    {
                        if (X0[p] >= w) break;
                        raw.Add(0);
                        for (int x = X0[p]; x < w; x += Dx[p])
                            for (int c = 0; c < 3; c++) raw.Add(img[x, y, c]);
                    }
                byte[] png = PngChunks.Build([("IHDR", PngChunks.Ihdr((uint)w, (uint)h, 8, 2, 1)), ("IDAT", PngChunks.Zlib(raw.ToArray())), ("IEND", [])]);
                PngDecoder.Decode(png).Pixels.Should().Equal(img.Pixels, $"{w}x{h}");
            }
    }
}
