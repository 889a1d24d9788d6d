using OctaveML.Data;

namespace OctaveML.Tests.Data;

public class CifarTests
{
    [Fact]
    public void Reads_records_planar_with_labels()
    {
        using var tmp = new DataFiles.TempFolder();
        string f = tmp.File("test_batch.bin");
        File.WriteAllBytes(f, DataFiles.Cifar(3, 9, 0));
        var ds = CifarDataset.Load([f]);
        ds.Count.Should().Be(3);
        (ds.Channels, ds.Height, ds.Width).Should().Be((3, 32, 32));
        Enumerable.Range(0, 3).Select(ds.GetLabel).Should().Equal(3, 9, 0);
        ds.ClassNames[9].Should().Be("truck");
        var img = new float[3072];
        ds.GetImage(1, img);
        // Record 1, green plane (offset 1024), row 2, column 5.
        int j = 1024 + 2 * 32 + 5;
        img[j].Should().Be((byte)((31 + j) % 256) / 255f);
    }

    [Fact]
    public void Folder_loader_concatenates_five_training_batches_and_reads_meta()
    {
        using var tmp = new DataFiles.TempFolder();
        string dir = Path.Combine(tmp.Path, "cifar-10-batches-bin");
        Directory.CreateDirectory(dir);
        for (int b = 1; b <= 5; b++) File.WriteAllBytes(Path.Combine(dir, $"data_batch_{b}.bin"), DataFiles.Cifar((byte)b, (byte)(b + 1)));
        File.WriteAllBytes(Path.Combine(dir, "test_batch.bin"), DataFiles.Cifar(1));
        File.WriteAllLines(Path.Combine(dir, "batches.meta.txt"), ["zero", "one", "two", "three", "four", "five", "six", "", ""]);
        var train = CifarDataset.LoadFolder(tmp.Path, train: true);
        train.Count.Should().Be(10);
        train.GetLabels().Should().Equal(1, 2, 2, 3, 3, 4, 4, 5, 5, 6);
        train.ClassNames.Should().Equal("zero", "one", "two", "three", "four", "five", "six");
        CifarDataset.LoadFolder(dir, train: false).Count.Should().Be(1);

        File.Delete(Path.Combine(dir, "data_batch_4.bin"));
        var act = () => CifarDataset.LoadFolder(dir, train: true);
        act.Should().Throw<FileNotFoundException>().WithMessage("*data_batch_4.bin*");
    }

    [Fact]
    public void Truncated_record_names_offset_and_expectation()
    {
        using var tmp = new DataFiles.TempFolder();
        string f = tmp.File("data_batch_1.bin");
        File.WriteAllBytes(f, DataFiles.Cifar(1, 2)[..(3073 + 100)]);
        var e = FluentActions.Invoking(() => CifarReader.ReadBatch(f)).Should().Throw<DatasetFormatException>().Which;
        e.FileName.Should().Be(f);
        e.Offset.Should().Be(3173);
        e.Message.Should().Contain(f).And.Contain("at byte 3173").And.Contain("100 bytes into record 1").And.Contain("multiple of 3073");
    }

    [Fact]
    public void Label_out_of_range_and_empty_file_are_typed_errors()
    {
        using var tmp = new DataFiles.TempFolder();
        string f = tmp.File("bad.bin");
        File.WriteAllBytes(f, DataFiles.Cifar(1, 2, 10));
        var e = FluentActions.Invoking(() => CifarReader.ReadBatch(f)).Should().Throw<DatasetFormatException>().Which;
        e.Offset.Should().Be(2 * 3073);
        e.Message.Should().Contain("label 10 of record 2").And.Contain("expected 0 to 9");

        // With a meta file naming 3 classes, label 2 is the largest allowed.
        File.WriteAllBytes(f, DataFiles.Cifar(0, 3));
        FluentActions.Invoking(() => CifarDataset.Load([f], ["a", "b", "c"])).Should().Throw<DatasetFormatException>()
            .Which.Offset.Should().Be(3073);

        File.WriteAllBytes(f, []);
        FluentActions.Invoking(() => CifarReader.ReadBatch(f)).Should().Throw<DatasetFormatException>()
            .Which.Message.Should().Contain("file is empty");
    }
}
