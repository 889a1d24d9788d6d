using OctaveML.Data;
using OctaveML.Samples.Commands;

namespace OctaveML.Tests.Samples;

public class DatasetDetectorTests
{
    [Fact]
    public void Finds_the_shipped_Fashion_MNIST_and_sees_IDX()
    {
        string? shipped = DatasetDetector.FindShippedDataset();
        shipped.Should().NotBeNull();
        DatasetDetector.Detect(shipped!).Should().Be(DatasetKind.Idx);
    }

    [Fact]
    public void A_CIFAR_batch_folder_is_CIFAR()
    {
        using var t = new TempFolder();
        File.WriteAllBytes(t.File(CifarDataset.TestFile), new byte[CifarReader.RecordBytes]);
        DatasetDetector.Detect(t.Path).Should().Be(DatasetKind.Cifar);
    }

    [Fact]
    public void Class_subfolders_are_an_image_folder()
    {
        using var t = new TempFolder();
        Directory.CreateDirectory(t.File("cat"));
        TempFolder.SaveGradient(Path.Combine(t.File("cat"), "a.png"), 4, 4);
        DatasetDetector.Detect(t.Path).Should().Be(DatasetKind.ImageFolder);
    }

    [Theory]
    [InlineData("labels.csv")]
    [InlineData("labels.TSV")]
    public void A_CSV_or_TSV_file_is_a_manifest(string name)
    {
        using var t = new TempFolder();
        File.WriteAllText(t.File(name), "path,label\n");
        DatasetDetector.Detect(t.File(name)).Should().Be(DatasetKind.Manifest);
    }

    [Fact]
    public void An_empty_folder_or_other_file_is_a_usage_error_naming_data()
    {
        using var t = new TempFolder();
        var empty = () => DatasetDetector.Detect(t.Path);
        empty.Should().Throw<UsageException>().WithMessage("--data: *");
        File.WriteAllText(t.File("notes.bin"), "x");
        var other = () => DatasetDetector.Detect(t.File("notes.bin"));
        other.Should().Throw<UsageException>().WithMessage("--data: *manifest*");
    }
}
