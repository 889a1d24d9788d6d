using System.Text;
using OctaveML.Imaging;

namespace OctaveML.Tests.Imaging;

/// <summary>Damaged, hostile and non-JPEG inputs: always an <see cref="ImageFormatException"/> naming the file and the reason.</summary>
public class JpegRobustnessTests
{
    private static ImageFormatException Rejects(byte[] data, string file = "bad.jpg", DecodeOptions? options = null)
    {
        var act = () => JpegDecoder.Decode(data, options, file);
        var e = act.Should().Throw<ImageFormatException>().Which;
        e.FileName.Should().Be(file);
        e.Message.Should().StartWith(file + ": ");
        e.Reason.Should().NotBeNullOrWhiteSpace();
        return e;
    }

    /// <summary>A copy of a corpus file with its SOF0/SOF2 width and height replaced.</summary>
    private static byte[] WithSize(string file, int width, int height)
    {
        var data = JpegCorpus.Bytes(file);
        for (int i = 2; i + 8 < data.Length; i++)
            if (data[i] == 0xFF && data[i + 1] is 0xC0 or 0xC2)
            {
                data[i + 5] = (byte)(height >> 8); data[i + 6] = (byte)height;
                data[i + 7] = (byte)(width >> 8); data[i + 8] = (byte)width;
                return data;
            }
        throw new InvalidOperationException("no SOF");
    }

    [Fact]
    public void ZeroBytes() => Rejects(Array.Empty<byte>()).Reason.Should().Contain("empty");

    [Fact]
    public void NonImageInputs()
    {
        Rejects(Encoding.UTF8.GetBytes("hello, this is not an image\n")).Reason.Should().Contain("not a JPEG");
        Rejects(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13 }).Reason.Should().Contain("not a JPEG");
        Rejects(new byte[] { 0xFF }).Reason.Should().Contain("not a JPEG");
        Rejects(new byte[] { 0xFF, 0xD8 }).Reason.Should().Contain("truncated");
        Rejects(new byte[] { 0xFF, 0xD8, 0xFF, 0xD9 }).Reason.Should().Contain("no frame");
    }

    [Fact]
    public void RandomBytes()
    {
        var rng = new Random(7);
        for (int i = 0; i < 200; i++)
        {
            var data = new byte[rng.Next(1, 4000)];
            rng.NextBytes(data);
            if (i % 2 == 0 && data.Length > 3) { data[0] = 0xFF; data[1] = 0xD8; data[2] = 0xFF; }
            Rejects(data, $"random{i}.jpg");
        }
    }

    [Theory]
    [InlineData("base_420.jpg")]
    [InlineData("base_420_restart_row.jpg")]
    [InlineData("prog_420_odd.jpg")]
    [InlineData("prog_gray.jpg")]
    [InlineData("cmyk_prog.jpg")]
    [InlineData("orient_6.jpg")]
    public void TruncatedAnywhere(string file)
    {
        var data = JpegCorpus.Bytes(file);
        var cuts = Enumerable.Range(0, 60).Select(i => i * (data.Length - 1) / 60)
            .Concat(Enumerable.Range(data.Length - 12, 12)).Distinct();
        foreach (int cut in cuts)
            Rejects(data[..cut], file);
    }

    [Theory]
    [InlineData("base_444.jpg")]
    [InlineData("prog_422.jpg")]
    [InlineData("base_444_restart_3blocks.jpg")]
    public void BitFlipsGiveAnImageOrAFormatError(string file)
    {
        var original = JpegCorpus.Bytes(file);
        var rng = new Random(file.Length);
        for (int i = 0; i < 150; i++)
        {
            var data = (byte[])original.Clone();
            int pos = rng.Next(data.Length);
            data[pos] ^= (byte)(1 << rng.Next(8));
            try
            {
                var image = JpegDecoder.Decode(data, fileName: file);
                image.Pixels.Length.Should().Be(image.Width * image.Height * image.Channels);
            }
            catch (ImageFormatException e)
            {
                e.FileName.Should().Be(file);
            }
        }
    }

    [Fact]
    public void DecompressionBombIsRefusedBeforeAllocating()
    {
        var data = WithSize("base_420.jpg", 65535, 65535);
        long before = GC.GetAllocatedBytesForCurrentThread();
        Rejects(data, "bomb.jpg").Reason.Should().Contain("MaxPixels");
        (GC.GetAllocatedBytesForCurrentThread() - before).Should().BeLessThan(1 << 20);
    }

    [Fact]
    public void DimensionsTheDataCannotHoldAreRefusedBeforeAllocating()
    {
        // 9000x9000 is under the default MaxPixels but a 2 KB file cannot hold 1.2 million blocks.
        var data = WithSize("base_420.jpg", 9000, 9000);
        long before = GC.GetAllocatedBytesForCurrentThread();
        Rejects(data, "bomb.jpg").Reason.Should().Contain("too small");
        (GC.GetAllocatedBytesForCurrentThread() - before).Should().BeLessThan(1 << 20);
    }

    [Fact]
    public void MaxPixelsOptionIsHonoured()
    {
        var data = JpegCorpus.Bytes("base_420.jpg"); // 96x64 = 6144 pixels
        Rejects(data, "small.jpg", new DecodeOptions { MaxPixels = 6143 }).Reason.Should().Contain("MaxPixels");
        JpegDecoder.Decode(data, new DecodeOptions { MaxPixels = 6144 }).Width.Should().Be(96);
    }

    [Fact]
    public void MissingTablesAndBadHeadersAreFormatErrors()
    {
        var data = JpegCorpus.Bytes("base_420.jpg");
        // Remove every DHT segment: the scan then names undefined tables.
        var stripped = new List<byte>();
        int p = 0;
        while (p < data.Length)
        {
            if (p + 3 < data.Length && data[p] == 0xFF && data[p + 1] == 0xC4)
            {
                p += 2 + ((data[p + 2] << 8) | data[p + 3]);
                continue;
            }
            stripped.Add(data[p++]);
        }
        Rejects(stripped.ToArray()).Reason.Should().Contain("Huffman");
        Rejects(WithSize("base_420.jpg", 0, 64)).Reason.Should().Contain("width");
        Rejects(WithSize("base_420.jpg", 96, 0)).Should().BeOfType<UnsupportedImageFormatException>();
    }
}

/// <summary>A progressive file repeating one scan thousands of times is refused, not decoded for minutes.</summary>
public class JpegScanBombTests
{
    [Fact]
    public void TooManyScansAreRefused()
    {
        var data = JpegCorpus.Bytes("prog_gray.jpg");
        // Find the last SOS segment and its entropy data (up to EOI), then repeat it 1500 times.
        int sos = -1;
        for (int i = 2; i + 1 < data.Length; i++)
            if (data[i] == 0xFF && data[i + 1] == 0xDA) sos = i;
        var scan = data[sos..^2];
        var bomb = new List<byte>(data[..^2]);
        for (int i = 0; i < 1500; i++) bomb.AddRange(scan);
        bomb.AddRange(new byte[] { 0xFF, 0xD9 });
        var act = () => JpegDecoder.Decode(bomb.ToArray(), fileName: "scans.jpg");
        act.Should().Throw<ImageFormatException>().Which.Reason.Should().Contain("scans");
    }
}
