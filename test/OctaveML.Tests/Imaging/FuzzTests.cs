using System.Diagnostics;
using OctaveML.Imaging;
using Xunit.Abstractions;

namespace OctaveML.Tests.Imaging;

/// <summary>
/// Mutation fuzzing with a fixed seed: bit flips, byte overwrites, truncation, PNG chunk splicing and
/// PNG chunk edits with the CRC fixed up (so the mutation reaches the inflater, the filters and the
/// pixel conversion instead of stopping at the CRC check). Every outcome must be an Image or an
/// ImageFormatException, within a time limit.
/// </summary>
public class FuzzTests(ITestOutputHelper output)
{
    private static readonly (string Folder, string File)[] Seeds =
    [
        ("png", "rgb8.png"), ("png", "palette4_adam7.png"), ("png", "gray16.png"), ("png", "graya8_adam7.png"),
        ("png", "rgba16.png"), ("png", "gray1_adam7.png"), ("png", "palette8_trns.png"), ("png", "filter4_rgba8.png"),
        ("bmp", "pal4.bmp"), ("bmp", "pal1_topdown.bmp"), ("bmp", "bitfields32_rgbx_v4_topdown.bmp"), ("bmp", "bitfields16_565.bmp"),
        ("bmp", "im_bmp2.bmp"), ("pnm", "rgb16.ppm"), ("pnm", "gray8.pgm"),
    ];

    [Fact]
    public void Mutated_files_decode_or_fail_cleanly()
    {
        const int iterations = 4000;
        var rng = new Random(20261123);
        var files = Seeds.Select(s => File.ReadAllBytes(Path.Combine(ImagingData.Folder(s.Folder), s.File))).ToArray();
        var pngs = files.Where(f => PngDecoder.IsPng(f)).ToArray();
        int images = 0, errors = 0;
        var slowest = TimeSpan.Zero;
        for (int it = 0; it < iterations; it++)
        {
            byte[] seed = files[rng.Next(files.Length)];
            byte[] data = Mutate(seed, pngs, rng);
            var sw = Stopwatch.StartNew();
            try
            {
                var img = ImageDecoder.Decode(data, new DecodeOptions { Grayscale = rng.Next(2) == 0, MaxPixels = 1 << 22 }, "fuzz");
                img.Pixels.Length.Should().Be(img.Width * img.Height * img.Channels);
                images++;
            }
            catch (ImageFormatException e)
            {
                e.FileName.Should().Be("fuzz");
                errors++;
            }
            catch (Exception e)
            {
                string dump = Path.Combine(Path.GetTempPath(), $"octaveml_fuzz_{it}.bin");
                File.WriteAllBytes(dump, data);
                throw new Xunit.Sdk.XunitException($"iteration {it}: {e.GetType().Name} escaped (input saved to {dump}): {e}");
            }
            if (sw.Elapsed > slowest) slowest = sw.Elapsed;
            sw.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(5), $"iteration {it} must not hang (5 s leaves room for a loaded CI machine)");
        }
        output.WriteLine($"{iterations} mutations: {images} decoded, {errors} ImageFormatExceptions, slowest {slowest.TotalMilliseconds:0.#} ms");
        (images + errors).Should().Be(iterations);
        errors.Should().BeGreaterThan(iterations / 10);
        images.Should().BeGreaterThan(iterations / 20, "CRC-fixed and BMP/PNM pixel mutations still decode");
    }

    private static byte[] Mutate(byte[] seed, byte[][] pngs, Random rng)
    {
        byte[] d = (byte[])seed.Clone();
        switch (rng.Next(PngDecoder.IsPng(seed) ? 7 : 4))
        {
            case 0: // flip 1-8 bits anywhere
                for (int k = rng.Next(1, 9); k > 0; k--) d[rng.Next(d.Length)] ^= (byte)(1 << rng.Next(8));
                return d;
            case 1: // overwrite header bytes with extreme values
                for (int k = rng.Next(1, 4); k > 0; k--) d[rng.Next(Math.Min(d.Length, 64))] = (byte)(rng.Next(2) == 0 ? 0xFF : rng.Next(256));
                return d;
            case 2: // truncate
                return d[..rng.Next(d.Length)];
            case 3: // flip, then truncate
                d[rng.Next(d.Length)] ^= (byte)(1 << rng.Next(8));
                return d[..rng.Next(d.Length / 2, d.Length)];
            case 4: // edit one PNG chunk's bytes, keeping its CRC valid
                {
                    var chunks = PngChunks.Parse(d);
                    int i = rng.Next(chunks.Count);
                    var body = chunks[i].Body;
                    if (body.Length > 0)
                        for (int k = rng.Next(1, 4); k > 0; k--)
                        {
                            int at = chunks[i].Type == "IHDR" ? rng.Next(body.Length) : rng.Next(body.Length);
                            body[at] = rng.Next(3) == 0 ? (byte)rng.Next(256) : (byte)(body[at] ^ (1 << rng.Next(8)));
                        }
                    return PngChunks.Build(chunks);
                }
            case 5: // splice: chunks of another PNG replace, join or duplicate ours
                {
                    var a = PngChunks.Parse(d);
                    var b = PngChunks.Parse(pngs[rng.Next(pngs.Length)]);
                    int cut = rng.Next(a.Count + 1);
                    var mixed = a.Take(cut).Concat(b.Skip(rng.Next(b.Count))).ToList();
                    if (rng.Next(2) == 0 && mixed.Count > 1) mixed.Insert(rng.Next(mixed.Count), mixed[rng.Next(mixed.Count)]);
                    return PngChunks.Build(mixed);
                }
            default: // drop or reorder chunks
                {
                    var a = PngChunks.Parse(d);
                    int i = rng.Next(a.Count), j = rng.Next(a.Count);
                    if (rng.Next(2) == 0) a.RemoveAt(i); else (a[i], a[j]) = (a[j], a[i]);
                    return PngChunks.Build(a);
                }
        }
    }
}
