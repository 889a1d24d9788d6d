using System.Buffers.Binary;
using Microsoft.ML;
using SkiaSharp;
using Xunit.Abstractions;

namespace OctaveML.Tests.MLNet;

/// <summary>
/// Mutation fuzzing (fixed seed) of JPEG and PNG files through ML.NET's LoadImages (SkiaSharp's native
/// decoders) and the trainer: bit flips, header overwrites, truncation, and PNG chunk edits with the CRC
/// fixed up (so that the mutation reaches the decompressor and the filters). Every file must end as
/// an image trained on or a skipped/thrown error naming it; the process must not crash or hang.
/// </summary>
public class ImageFuzzTests(ITestOutputHelper output)
{
    private const int Mutations = 240;

    private static byte[][] Seeds()
    {
        string corpus = Path.Combine(AppContext.BaseDirectory, "data");
        return
        [
            MLNetImages.Encode(24, 18, 1, SKEncodedImageFormat.Jpeg, quality: 85),
            MLNetImages.Encode(17, 23, 2, SKEncodedImageFormat.Png),
            File.ReadAllBytes(Path.Combine(corpus, "jpeg", "prog_420.jpg")),
            File.ReadAllBytes(Path.Combine(corpus, "jpeg", "base_422_odd.jpg")),
            File.ReadAllBytes(Path.Combine(corpus, "png", "gray16_adam7.png")),
            File.ReadAllBytes(Path.Combine(corpus, "png", "filter4_rgba8.png")),
            File.ReadAllBytes(Path.Combine(MLNetImages.FashionFolder, "Bag", "0.png")),
        ];
    }

    [Fact]
    public void Mutated_JPEG_and_PNG_files_become_images_or_errors_naming_the_file()
    {
        using var folder = new ScratchFolder();
        var rng = new Random(20261207);
        var seeds = Seeds();
        var rows = new List<ImageRow>();
        for (int i = 0; i < seeds.Length; i++)
            rows.Add(Row(folder, $"seed{i}", seeds[i], i % 2));
        for (int i = 0; i < Mutations; i++)
            rows.Add(Row(folder, $"m{i}", Mutate(seeds[rng.Next(seeds.Length)], rng), i % 2));
        var ml = new MLContext(1);
        var data = MLNetImages.Prepared(ml, rows, folder.Path, 8);
        OctCifarResNetTrainer Trainer(InvalidImageHandling handling) => ml.MulticlassClassification.Trainers.OctCifarResNet(new OctCifarResNetTrainer.Options
        {
            Epoch = 1, BatchSize = 32, ImageFolder = folder.Path, InvalidImages = handling,
        });

        var thrown = ((Action)(() => Trainer(InvalidImageHandling.Throw).Train(data))).Should().Throw<InvalidImageException>().Which;
        var report = Trainer(InvalidImageHandling.Skip).Train(data).Report;

        var skipped = report.SkippedImages.Select(s => s.Path).ToList();
        output.WriteLine($"{rows.Count} files: {report.TrainingImages} trained on, {skipped.Count} skipped; reasons: " +
            string.Join("; ", report.SkippedImages.GroupBy(s => s.Reason.Split(':')[0]).Select(g => $"{g.Key} x{g.Count()}")));
        (report.TrainingImages + skipped.Count).Should().Be(rows.Count, "every file is either trained on or reported");
        skipped.Should().OnlyHaveUniqueItems().And.OnlyContain(p => p != null && p.StartsWith(folder.Path));
        report.SkippedImages.Should().OnlyContain(s => s.Reason.Length > 0);
        thrown.Images.Select(i => i.Path).Should().BeSubsetOf(skipped);
        thrown.Message.Should().Contain(thrown.Images[0].Path);
        skipped.Should().NotContain(p => p!.Contains("seed"), "the unmutated seeds decode");
        skipped.Count.Should().BeGreaterThan(Mutations / 4);
        report.TrainingImages.Should().BeGreaterThan(Mutations / 10, "bit flips in pixel data still decode");
    }

    private static ImageRow Row(ScratchFolder folder, string name, byte[] file, int label)
    {
        string ext = file.Length > 1 && file[0] == 0x89 ? "png" : "jpg";
        folder.Write($"{name}.{ext}", file);
        return new ImageRow { ImagePath = $"{name}.{ext}", Label = label == 0 ? "a" : "b" };
    }

    private static byte[] Mutate(byte[] seed, Random rng)
    {
        byte[] d = (byte[])seed.Clone();
        bool png = d[0] == 0x89;
        switch (rng.Next(png ? 6 : 4))
        {
            case 0: // flip 1-8 bits anywhere
                for (int k = rng.Next(1, 9); k > 0; k--) d[rng.Next(d.Length)] ^= (byte)(1 << rng.Next(8));
                return d;
            case 1: // overwrite header bytes with extreme values
                for (int k = rng.Next(1, 4); k > 0; k--) d[rng.Next(Math.Min(d.Length, 64))] = rng.Next(2) == 0 ? (byte)0xFF : (byte)rng.Next(256);
                return d;
            case 2: // truncate
                return d[..rng.Next(d.Length)];
            case 3: // flip, then truncate near the end
                d[rng.Next(d.Length)] ^= (byte)(1 << rng.Next(8));
                return d[..rng.Next(d.Length / 2, d.Length)];
            default: // edit bytes of one PNG chunk and fix its CRC
                return EditPngChunk(d, rng);
        }
    }

    /// <summary>Changes 1-3 bytes inside one chunk's type and data, then rewrites the chunk's CRC.</summary>
    private static byte[] EditPngChunk(byte[] d, Random rng)
    {
        var chunks = new List<(int Start, int Length)>();
        for (int at = 8; at + 12 <= d.Length;)
        {
            int length = (int)Math.Min(BinaryPrimitives.ReadUInt32BigEndian(d.AsSpan(at)), (uint)(d.Length - at - 12));
            chunks.Add((at, length));
            at += length + 12;
        }
        var (start, len) = chunks[rng.Next(chunks.Count)];
        for (int k = rng.Next(1, 4); k > 0; k--)
        {
            int i = start + 8 + rng.Next(Math.Max(1, len));
            if (i < start + 8 + len) d[i] = rng.Next(3) == 0 ? (byte)rng.Next(256) : (byte)(d[i] ^ (1 << rng.Next(8)));
        }
        BinaryPrimitives.WriteUInt32BigEndian(d.AsSpan(start + 8 + len), Crc32(d.AsSpan(start + 4, len + 4)));
        return d;
    }

    private static uint Crc32(ReadOnlySpan<byte> bytes)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in bytes)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
        }
        return ~crc;
    }
}
