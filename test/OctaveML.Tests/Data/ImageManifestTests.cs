using OctaveML.Data;

namespace OctaveML.Tests.Data;

public class ImageManifestTests
{
    [Theory]
    [InlineData("a,b", new[] { "a", "b" })]
    [InlineData("\"a,b\",c", new[] { "a,b", "c" })]
    [InlineData("\"say \"\"hi\"\"\",x", new[] { "say \"hi\"", "x" })]
    [InlineData(" \"q\" ,x", new[] { "q", "x" })]
    [InlineData("a,,b,", new[] { "a", "", "b", "" })]
    public void SplitsCsvFields(string line, string[] expected) =>
        ImageManifest.Split(line, ',', "f.csv", 1).Should().Equal(expected);

    [Fact]
    public void Text_after_a_closing_quote_is_an_error() =>
        FluentActions.Invoking(() => ImageManifest.Split("\"a\"b,c", ',', "f.csv", 7)).Should().Throw<DatasetFormatException>()
            .Which.Message.Should().Be("f.csv: line 7: unexpected 'b' at column 4 after a quoted field; expected ',' or the end of the line");

    [Fact]
    public void Reads_rows_with_their_lines_and_resolves_paths()
    {
        using var tmp = new DataFiles.TempFolder();
        string m = tmp.File("m.txt");
        File.WriteAllLines(m, ["file\tclass", "x\\1.png\tcat", "", "2.png\tdog"]);
        var rows = ImageManifest.Read(m);
        rows.Should().Equal(
            new ImageManifest.Entry(Path.Combine(tmp.Path, "x", "1.png"), "cat", 2),
            new ImageManifest.Entry(Path.Combine(tmp.Path, "2.png"), "dog", 4));
        var (labels, names) = ImageManifest.MapLabels(m, rows);
        names.Should().Equal("cat", "dog");
        labels.Should().Equal(0, 1);
    }
}
