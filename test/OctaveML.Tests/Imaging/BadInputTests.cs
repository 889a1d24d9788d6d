using System.Diagnostics;
using OctaveML.Imaging;

namespace OctaveML.Tests.Imaging;

/// <summary>Broken, hostile and non-image inputs give an ImageFormatException naming the file and the reason.</summary>
public class BadInputTests
{
    private static byte[] Corpus(string folder, string file) => File.ReadAllBytes(Path.Combine(ImagingData.Folder(folder), file));

    private static ImageFormatException Fails(byte[] data, string name = "bad.img", DecodeOptions? options = null)
    {
        var act = () => ImageDecoder.Decode(data, options, name);
        var e = act.Should().Throw<ImageFormatException>().Which;
        e.FileName.Should().Be(name);
        e.Message.Should().StartWith(name + ": ");
        return e;
    }

    [Fact]
    public void Empty_file() => Fails([]).Reason.Should().Contain("empty");

    [Fact]
    public void Not_an_image_names_the_first_bytes()
    {
        Fails("hello, world"u8.ToArray()).Reason.Should().Be("not a JPEG, PNG, BMP or PNM image (starts with 0x68656C6C6F2C2077)");
        Fails([0x47]).Reason.Should().Contain("0x47)");
    }

    [Fact]
    public void Empty_file_from_each_decoder()
    {
        FluentActions.Invoking(() => PngDecoder.Decode([], null, "a.png")).Should().Throw<ImageFormatException>().WithMessage("a.png: *empty*");
        FluentActions.Invoking(() => BmpDecoder.Decode([], null, "a.bmp")).Should().Throw<ImageFormatException>().WithMessage("a.bmp: *empty*");
        FluentActions.Invoking(() => PnmDecoder.Decode([], null, "a.pgm")).Should().Throw<ImageFormatException>().WithMessage("a.pgm: *empty*");
    }

    [Theory]
    [InlineData("png", "rgb8_adam7.png")]
    [InlineData("png", "palette2.png")]
    [InlineData("bmp", "pal4.bmp")]
    [InlineData("bmp", "bitfields32_rgbx_v4_topdown.bmp")]
    [InlineData("pnm", "rgb16.ppm")]
    public void Every_truncation_fails_cleanly(string folder, string file)
    {
        byte[] full = Corpus(folder, file);
        var whole = ImageDecoder.Decode(full);
        for (int n = 0; n < full.Length; n++)
        {
            byte[] cut = full[..n];
            try
            {
                // Only a PNG cut after its last IDAT (IEND missing) or a BMP missing the last row's
                // padding is still complete.
                var img = ImageDecoder.Decode(cut, null, file);
                img.Pixels.Should().Equal(whole.Pixels, $"a {n}-byte prefix decoded, so it must be the whole image");
                folder.Should().NotBe("pnm");
                n.Should().BeGreaterThan(full.Length - (folder == "png" ? 13 : 4));
            }
            catch (ImageFormatException e)
            {
                e.FileName.Should().Be(file);
            }
        }
    }

    [Fact]
    public void Crc_error_names_the_chunk()
    {
        byte[] png = Corpus("png", "rgb8.png");
        var chunks = PngChunks.Parse(png);
        int idat = 8;
        foreach (var (type, body) in chunks) { if (type == "IDAT") break; idat += 12 + body.Length; }
        png[idat + 20] ^= 0x10;
        Fails(png, "x.png").Reason.Should().Contain("CRC error in chunk 'IDAT'");
    }

    [Fact]
    public void Huge_dimensions_are_refused_before_allocating()
    {
        byte[] idat = PngChunks.Zlib(new byte[10]);
        byte[] png = PngChunks.Build([("IHDR", PngChunks.Ihdr(100_000, 100_000)), ("IDAT", idat), ("IEND", [])]);
        long before = GC.GetAllocatedBytesForCurrentThread();
        Fails(png, "huge.png").Reason.Should().Contain("100000x100000").And.Contain("MaxPixels");
        (GC.GetAllocatedBytesForCurrentThread() - before).Should().BeLessThan(1 << 20);

        // Within MaxPixels but far more than the IDAT can hold: refused without a 190 MB buffer.
        png = PngChunks.Build([("IHDR", PngChunks.Ihdr(8000, 8000)), ("IDAT", idat), ("IEND", [])]);
        before = GC.GetAllocatedBytesForCurrentThread();
        Fails(png, "big.png").Reason.Should().Contain("truncated image data");
        (GC.GetAllocatedBytesForCurrentThread() - before).Should().BeLessThan(1 << 20);

        // A caller's MaxPixels.
        Fails(Corpus("png", "rgb8.png"), "small.png", new DecodeOptions { MaxPixels = 100 }).Reason.Should().Contain("MaxPixels = 100");
        Fails(Corpus("bmp", "rgb24.bmp"), "small.bmp", new DecodeOptions { MaxPixels = 100 }).Reason.Should().Contain("MaxPixels = 100");
        Fails(Corpus("pnm", "gray8.pgm"), "small.pgm", new DecodeOptions { MaxPixels = 100 }).Reason.Should().Contain("MaxPixels = 100");

        // BMP and PNM headers claiming 2^31-ish sizes.
        byte[] bmp = Corpus("bmp", "rgb24.bmp");
        BitConverter.GetBytes(int.MaxValue).CopyTo(bmp, 18);
        Fails(bmp, "wide.bmp").Reason.Should().Contain("MaxPixels");
        Fails("P6\n2000000000 2000000000\n255\n"u8.ToArray(), "wide.ppm").Reason.Should().Contain("MaxPixels");
        Fails("P5\n99999999999 2\n255\n"u8.ToArray(), "wider.pgm").Reason.Should().Contain("too large");
    }

    [Fact]
    public void A_decompression_bomb_inflates_only_what_the_header_needs()
    {
        // 64 MB of zeros for a 16x16 RGB image: the decoder stops after 16 * 49 bytes.
        byte[] bomb = PngChunks.Zlib(new byte[64 << 20]);
        byte[] png = PngChunks.Build([("IHDR", PngChunks.Ihdr(16, 16)), ("IDAT", bomb), ("IEND", [])]);
        var sw = Stopwatch.StartNew();
        long before = GC.GetAllocatedBytesForCurrentThread();
        var img = ImageDecoder.Decode(png);
        (GC.GetAllocatedBytesForCurrentThread() - before).Should().BeLessThan(4 << 20);
        sw.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(2));
        img.Pixels.Should().OnlyContain(b => b == 0);
    }

    [Fact]
    public void Structural_errors_say_what_is_wrong()
    {
        byte[] raw = new byte[4 * (1 + 12)];
        byte[] idat = PngChunks.Zlib(raw);
        PngChunks.Build([("IDAT", idat), ("IEND", [])]).Should().NotBeNull();
        Fails(PngChunks.Build([("IDAT", idat), ("IEND", [])]), "a.png").Reason.Should().Contain("not 'IHDR'");
        Fails(PngChunks.Build([("IHDR", PngChunks.Ihdr(4, 4, 3, 2)), ("IDAT", idat)]), "b.png").Reason.Should().Contain("colour type 2 with bit depth 3");
        Fails(PngChunks.Build([("IHDR", PngChunks.Ihdr(4, 4, 8, 3)), ("IDAT", idat)]), "c.png").Reason.Should().Contain("PLTE");
        Fails(PngChunks.Build([("IHDR", PngChunks.Ihdr(4, 4)), ("IEND", [])]), "d.png").Reason.Should().Contain("no image data");
        Fails(PngChunks.Build([("IHDR", PngChunks.Ihdr(0, 4)), ("IDAT", idat)]), "e.png").Reason.Should().Contain("invalid image size");
        raw[13] = 9; // filter type of row 1
        Fails(PngChunks.Build([("IHDR", PngChunks.Ihdr(4, 4)), ("IDAT", PngChunks.Zlib(raw))]), "f.png").Reason.Should().Contain("invalid filter type 9 in row 1");
        Fails(PngChunks.Build([("IHDR", PngChunks.Ihdr(4, 4)), ("IDAT", [1, 2, 3, 4, 5])]), "g.png").Reason.Should().Contain("IDAT");
        Fails(PngChunks.Build([("IHDR", PngChunks.Ihdr(4, 4)), ("ZZZZ", [1]), ("IDAT", idat)]), "h.png").Should().BeOfType<UnsupportedImageFormatException>();
        Fails(PngChunks.Build([("IHDR", PngChunks.Ihdr(4, 4)), ("IDAT", PngChunks.Zlib(new byte[20]))]), "i.png").Reason.Should().Contain("truncated image data");
        // Ancillary chunks are skipped and IDAT may come in pieces.
        var ok = ImageDecoder.Decode(PngChunks.Build([("IHDR", PngChunks.Ihdr(4, 4)), ("gAMA", [0, 0, 0, 1]), ("IDAT", idat[..5]), ("IDAT", idat[5..]), ("IEND", [])]));
        ok.Width.Should().Be(4);
        FluentActions.Invoking(() => BmpDecoder.Decode("BM"u8.ToArray().Concat(new byte[30]).ToArray(), null, "j.bmp"))
            .Should().Throw<ImageFormatException>().WithMessage("j.bmp: unknown BMP header size 0");
        Fails("P5 4 4 0\n"u8.ToArray().Concat(new byte[16]).ToArray(), "k.pgm").Reason.Should().Contain("maxval");
        Fails("P6 4 x 255\n"u8.ToArray(), "l.ppm").Reason.Should().Contain("height is not a number");
    }

    [Fact]
    public void A_caller_lifting_MaxPixels_still_gets_a_format_error_not_an_overflow()
    {
        var unlimited = new DecodeOptions { MaxPixels = long.MaxValue };
        byte[] idat = PngChunks.Zlib(new byte[10]);
        byte[] png = PngChunks.Build([("IHDR", PngChunks.Ihdr(int.MaxValue, int.MaxValue, 16, 6)), ("IDAT", idat), ("IEND", [])]);
        FluentActions.Invoking(() => ImageDecoder.Decode(png, unlimited, "x.png")).Should().Throw<ImageFormatException>().WithMessage("x.png: *too large*");
        FluentActions.Invoking(() => ImageDecoder.Decode("P6 2147483647 2147483647 65535\n"u8.ToArray(), unlimited, "x.ppm"))
            .Should().Throw<ImageFormatException>().WithMessage("x.ppm: *too large*");
        byte[] bmp = File.ReadAllBytes(Path.Combine(ImagingData.Folder("bmp"), "rgb24.bmp"));
        BitConverter.GetBytes(int.MaxValue).CopyTo(bmp, 18);
        BitConverter.GetBytes(int.MinValue + 1).CopyTo(bmp, 22);
        FluentActions.Invoking(() => ImageDecoder.Decode(bmp, unlimited, "x.bmp")).Should().Throw<ImageFormatException>().WithMessage("x.bmp: *too large*");
    }
}
