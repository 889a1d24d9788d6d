using System.Buffers.Binary;
using OctaveML.Data;

namespace OctaveML.Tests.Data;

public class IdxDatasetTests
{
    [Fact]
    public void The_shipped_Fashion_MNIST_subset_loads_with_known_content()
    {
        // Expected values computed independently with Python's gzip/struct from the same files.
        var train = IdxDataset.LoadFolder(DataFiles.FashionSmall, train: true);
        train.Count.Should().Be(2000);
        (train.Channels, train.Height, train.Width).Should().Be((1, 28, 28));
        train.ClassNames.Should().Equal(IdxDataset.FashionMnistClassNames);
        Enumerable.Range(0, 10).Select(train.GetLabel).Should().Equal(9, 0, 0, 3, 0, 2, 7, 2, 5, 5);
        train.ClassCounts().Should().AllBeEquivalentTo(200);
        train.GetPixels(0).ToArray().Sum(b => (int)b).Should().Be(76247);
        train.GetPixels(5)[14 * 28 + 14].Should().Be(184);
        long total = 0;
        for (int i = 0; i < train.Count; i++) foreach (byte b in train.GetPixels(i)) total += b;
        total.Should().Be(114533639);

        var test = IdxDataset.LoadFolder(DataFiles.FashionSmall, train: false);
        test.Count.Should().Be(500);
        test.ClassCounts().Should().AllBeEquivalentTo(50);
        Enumerable.Range(0, 5).Select(test.GetLabel).Should().Equal(9, 2, 1, 1, 6);
        test.GetPixels(0).ToArray().Sum(b => (int)b).Should().Be(33456);
    }

    [Fact]
    public void Get_image_is_bytes_over_255()
    {
        var train = IdxDataset.LoadFolder(DataFiles.FashionSmall, train: true);
        var img = new float[784];
        train.GetImage(5, img);
        img[14 * 28 + 14].Should().Be(184f / 255f);
        img.Should().OnlyContain(v => v >= 0 && v <= 1);
        var bytes = train.GetPixels(5);
        for (int i = 0; i < 784; i++) img[i].Should().Be(bytes[i] / 255f);
    }

    [FashionMnistFact]
    public void Debians_Fashion_MNIST_loads_and_the_shipped_slice_matches_it()
    {
        var train = IdxDataset.LoadFolder(DataFiles.DebianFashionMnist, train: true);
        var test = IdxDataset.LoadFolder(DataFiles.DebianFashionMnist, train: false);
        train.Count.Should().Be(60000);
        test.Count.Should().Be(10000);
        (train.Height, train.Width).Should().Be((28, 28));
        train.ClassNames[9].Should().Be("Ankle boot");
        train.ClassCounts().Should().AllBeEquivalentTo(6000);
        test.ClassCounts().Should().AllBeEquivalentTo(1000);
        train.GetPixels(59999).ToArray().Sum(b => (int)b).Should().Be(16684);

        // The shipped slice is the first 200 (train) / 50 (test) images of each class, in order.
        foreach (var (full, small, per) in new[] { (train, IdxDataset.LoadFolder(DataFiles.FashionSmall, true), 200),
                                                   (test, IdxDataset.LoadFolder(DataFiles.FashionSmall, false), 50) })
        {
            var counts = new int[10];
            int k = 0;
            for (int i = 0; i < full.Count && k < small.Count; i++)
            {
                int c = full.GetLabel(i);
                if (counts[c]++ >= per) continue;
                small.GetLabel(k).Should().Be(c);
                small.GetPixels(k).SequenceEqual(full.GetPixels(i)).Should().BeTrue($"small image {k} is source image {i}");
                k++;
            }
            k.Should().Be(small.Count);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Plain_and_gzipped_files_read_the_same(bool gzip)
    {
        using var tmp = new DataFiles.TempFolder();
        var (ip, lp) = DataFiles.WriteIdxPair(tmp.Path, "train", 5, 3, 4, classes: 3, gzip: gzip);
        var ds = IdxDataset.Load(ip, lp);
        ds.Count.Should().Be(5);
        (ds.Height, ds.Width).Should().Be((3, 4));
        ds.ClassNames.Should().Equal("0", "1", "2");
        ds.GetLabel(4).Should().Be(1);
        ds.GetPixels(2)[5].Should().Be((byte)(2 * 7 + 5));
    }

    [Fact]
    public void Multi_member_gzip_and_damaged_size_trailers_still_read_wholly()
    {
        using var tmp = new DataFiles.TempFolder();
        var (ip, lp) = DataFiles.WriteIdxPair(tmp.Path, "train", 9, 5, 5, classes: 3);
        byte[] plain = File.ReadAllBytes(ip);
        // Two gzip members (valid per RFC 1952): the trailer of the last one sizes only 100 bytes.
        File.WriteAllBytes(ip, [.. DataFiles.Gzip(plain[..(plain.Length - 100)]), .. DataFiles.Gzip(plain[^100..])]);
        IdxReader.ReadAllBytesMaybeGzip(ip).Should().Equal(plain);
        IdxDataset.Load(ip, lp).GetPixels(8).ToArray().Should().Equal(plain[^25..]);
        // A trailer claiming far more than deflate can expand to is not trusted for the allocation.
        var gz = DataFiles.Gzip(plain);
        BitConverter.GetBytes(0x7000_0000u).CopyTo(gz, gz.Length - 4);
        File.WriteAllBytes(ip, gz);
        FluentActions.Invoking(() => IdxReader.ReadAllBytesMaybeGzip(ip)).Should().Throw<DatasetFormatException>()
            .Which.Message.Should().Contain("gzip stream is corrupt");
    }

    [Fact]
    public void Folder_loader_uses_digit_names_outside_fashion_and_finds_test_pair()
    {
        using var tmp = new DataFiles.TempFolder();
        DataFiles.WriteIdxPair(tmp.Path, "t10k", 4, 2, 2, gzip: true);
        var ds = IdxDataset.LoadFolder(tmp.Path, train: false);
        ds.ClassNames.Should().Equal(IdxDataset.DigitClassNames);
        var act = () => IdxDataset.LoadFolder(tmp.Path, train: true);
        act.Should().Throw<FileNotFoundException>().WithMessage("*train-images-idx3-ubyte*");
    }

    private static DatasetFormatException LoadBroken(Action<string, string> corrupt)
    {
        using var tmp = new DataFiles.TempFolder();
        var (ip, lp) = DataFiles.WriteIdxPair(tmp.Path, "train", 6, 3, 3, classes: 4);
        corrupt(ip, lp);
        var act = () => IdxDataset.Load(ip, lp, ["a", "b", "c", "d"]);
        return act.Should().Throw<DatasetFormatException>().Which;
    }

    [Fact]
    public void Bad_magic_names_file_offset_and_expectation()
    {
        string? file = null;
        var e = LoadBroken((ip, _) => { file = ip; var b = File.ReadAllBytes(ip); b[3] = 0x02; File.WriteAllBytes(ip, b); });
        e.FileName.Should().Be(file);
        e.Offset.Should().Be(0);
        e.Message.Should().Contain(file).And.Contain("at byte 0").And.Contain("0x00000802").And.Contain("expected 0x00000803");
    }

    [Fact]
    public void Swapped_files_are_caught_by_magic()
    {
        using var tmp = new DataFiles.TempFolder();
        var (ip, lp) = DataFiles.WriteIdxPair(tmp.Path, "train", 2, 2, 2);
        var act = () => IdxDataset.Load(lp, ip);
        act.Should().Throw<DatasetFormatException>().Which.Message.Should().Contain("expected 0x00000803");
    }

    [Fact]
    public void Truncated_images_name_the_end_offset_and_the_expected_size()
    {
        var e = LoadBroken((ip, _) => { var b = File.ReadAllBytes(ip); File.WriteAllBytes(ip, b[..^10]); });
        // 16-byte header + 6 x 3 x 3 = 70 bytes expected; 60 present; item 4 of 6 is cut.
        e.Offset.Should().Be(60);
        e.Message.Should().Contain("at byte 60").And.Contain("expected 70 bytes").And.Contain("image 4 of 6");
    }

    [Fact]
    public void Truncated_header_is_reported()
    {
        var e = LoadBroken((_, lp) => File.WriteAllBytes(lp, File.ReadAllBytes(lp)[..6]));
        e.Offset.Should().Be(6);
        e.Message.Should().Contain("inside the header");
    }

    [Fact]
    public void Trailing_bytes_are_reported()
    {
        var e = LoadBroken((ip, _) => File.WriteAllBytes(ip, [.. File.ReadAllBytes(ip), 1, 2, 3]));
        e.Offset.Should().Be(70);
        e.Message.Should().Contain("3 bytes follow the data");
    }

    [Fact]
    public void Count_mismatch_names_the_label_file()
    {
        string? labels = null;
        var e = LoadBroken((_, lp) =>
        {
            labels = lp;
            File.WriteAllBytes(lp, DataFiles.Idx(IdxReader.LabelsMagic, [5], [0, 1, 2, 3, 0]));
        });
        e.FileName.Should().Be(labels);
        e.Offset.Should().Be(4);
        e.Message.Should().Contain("5 labels; expected 6");
    }

    [Fact]
    public void Label_out_of_range_names_its_offset()
    {
        var e = LoadBroken((_, lp) => { var b = File.ReadAllBytes(lp); b[8 + 3] = 7; File.WriteAllBytes(lp, b); });
        e.Offset.Should().Be(11);
        e.Message.Should().Contain("label 7 of item 3").And.Contain("expected 0 to 3");
    }

    [Fact]
    public void Overflowing_dimensions_are_rejected_before_allocating()
    {
        var e = LoadBroken((ip, _) =>
        {
            var b = File.ReadAllBytes(ip);
            BinaryPrimitives.WriteInt32BigEndian(b.AsSpan(4), 2_000_000_000);
            BinaryPrimitives.WriteInt32BigEndian(b.AsSpan(8), 60000);
            File.WriteAllBytes(ip, b);
        });
        e.Offset.Should().Be(8);
        e.Message.Should().Contain("more than");

        var zero = LoadBroken((ip, _) => { var b = File.ReadAllBytes(ip); BinaryPrimitives.WriteInt32BigEndian(b.AsSpan(12), 0); File.WriteAllBytes(ip, b); });
        zero.Offset.Should().Be(12);
        zero.Message.Should().Contain("dimension 2 is 0");

        var huge = LoadBroken((ip, _) => { var b = File.ReadAllBytes(ip); BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(8), 0x8000_0000); File.WriteAllBytes(ip, b); });
        huge.Offset.Should().Be(8);
    }

    [Fact]
    public void Truncated_gzip_is_reported_in_decompressed_offsets()
    {
        var e = LoadBroken((ip, _) =>
        {
            var gz = DataFiles.Gzip(File.ReadAllBytes(ip));
            File.WriteAllBytes(ip, gz[..(gz.Length / 2)]);
        });
        e.Message.Should().Contain("expected 70 bytes").And.Contain("gzip-decompressed");
    }

    [Fact]
    public void Corrupt_gzip_is_a_typed_error()
    {
        var e = LoadBroken((ip, _) =>
        {
            var gz = DataFiles.Gzip(File.ReadAllBytes(ip));
            gz[^8] ^= 0xFF; // the CRC-32 trailer
            File.WriteAllBytes(ip, gz);
        });
        e.Offset.Should().Be(0);
        e.Message.Should().Contain("gzip stream is corrupt");
    }
}
