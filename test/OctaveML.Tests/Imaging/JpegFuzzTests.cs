using OctaveML.Imaging;
using Xunit.Abstractions;

namespace OctaveML.Tests.Imaging;

/// <summary>
/// Bounded mutation fuzzing of the corpus (fixed seed): bit flips, byte overwrites, truncation,
/// segment splicing between files, 0xFF injection. Every outcome must be an image or an
/// <see cref="ImageFormatException"/>, and every decode must finish within a time limit.
/// </summary>
public class JpegFuzzTests(ITestOutputHelper output)
{
    private const int Iterations = 3000;
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(5);

    private static byte[] Mutate(Random rng, byte[] data, byte[][] corpus)
    {
        var d = new List<byte>(data);
        int mutations = rng.Next(1, 4);
        for (int m = 0; m < mutations && d.Count > 0; m++)
        {
            switch (rng.Next(6))
            {
                case 0: // bit flip
                {
                    int i = rng.Next(d.Count);
                    d[i] ^= (byte)(1 << rng.Next(8));
                    break;
                }
                case 1: // random byte, mostly in the headers
                {
                    int i = rng.Next(Math.Min(d.Count, rng.Next(2) == 0 ? 700 : d.Count));
                    d[i] = (byte)rng.Next(256);
                    break;
                }
                case 2: // truncate
                {
                    int cut = rng.Next(d.Count);
                    d.RemoveRange(cut, d.Count - cut);
                    if (d.Count > 0 && rng.Next(2) == 0) d.AddRange(new byte[] { 0xFF, 0xD9 });
                    break;
                }
                case 3: // splice a chunk of another file in (insert or overwrite)
                {
                    var other = corpus[rng.Next(corpus.Length)];
                    int from = rng.Next(other.Length), len = Math.Min(rng.Next(1, 400), other.Length - from);
                    int at = rng.Next(d.Count);
                    var chunk = other.AsSpan(from, len).ToArray();
                    if (rng.Next(2) == 0) d.InsertRange(at, chunk);
                    else for (int i = 0; i < chunk.Length && at + i < d.Count; i++) d[at + i] = chunk[i];
                    break;
                }
                case 4: // duplicate or delete a chunk
                {
                    int at = rng.Next(d.Count), len = Math.Min(rng.Next(1, 200), d.Count - at);
                    if (rng.Next(2) == 0) d.InsertRange(at, d.GetRange(at, len));
                    else d.RemoveRange(at, len);
                    break;
                }
                default: // marker-like bytes in the entropy data
                {
                    int i = rng.Next(Math.Max(d.Count - 1, 1));
                    if (i + 1 >= d.Count) break;
                    d[i] = 0xFF;
                    d[i + 1] = (byte)rng.Next(0xC0, 0x100);
                    break;
                }
            }
        }
        return d.ToArray();
    }

    [Fact]
    public async Task MutatedCorpusGivesImagesOrFormatErrorsQuickly()
    {
        var names = Directory.GetFiles(JpegCorpus.Dir, "*.jpg").Order().ToArray();
        var corpus = names.Select(File.ReadAllBytes).ToArray();
        var rng = new Random(20261123);
        int images = 0, errors = 0;
        var reasons = new Dictionary<string, int>();
        for (int it = 0; it < Iterations; it++)
        {
            int pick = rng.Next(corpus.Length);
            var data = Mutate(rng, corpus[pick], corpus);
            string file = $"fuzz{it}_{Path.GetFileName(names[pick])}";
            try
            {
                var image = await Task.Run(() => JpegDecoder.Decode(data, fileName: file)).WaitAsync(Limit);
                image.Pixels.Length.Should().Be(image.Width * image.Height * image.Channels);
                images++;
            }
            catch (TimeoutException)
            {
                throw new Xunit.Sdk.XunitException($"decoding mutation {it} of {file} did not finish within {Limit}");
            }
            catch (ImageFormatException e)
            {
                e.FileName.Should().Be(file);
                e.Reason.Should().NotBeNullOrWhiteSpace();
                string key = new string(e.Reason.TakeWhile(ch => !char.IsDigit(ch)).ToArray());
                reasons[key] = reasons.GetValueOrDefault(key) + 1;
                errors++;
            }
        }
        output.WriteLine($"fuzz iterations {Iterations}: {images} images, {errors} ImageFormatExceptions");
        foreach (var (reason, count) in reasons.OrderByDescending(kv => kv.Value)) output.WriteLine($"  {count,5} {reason}");
        (images + errors).Should().Be(Iterations);
    }
}
