using OctaveML.Data;
using OctaveML.Pipeline;

namespace OctaveML.Tests.Pipeline;

public class DataViewTests
{
    public sealed class Row
    {
        public string Name { get; set; } = "";
        public float Weight { get; set; }
        [ColumnName("Label")]
        public string Kind { get; set; } = "";
        [VectorType(2)]
        public float[] Values { get; set; } = [];
        [NoColumn]
        public string Ignored { get; set; } = "x";
    }

    public sealed class NameOnly
    {
        public string Name { get; set; } = "";
    }

    private static Row[] Rows(int n) => Enumerable.Range(0, n)
        .Select(i => new Row { Name = "r" + i, Weight = i, Kind = i % 3 == 0 ? "x" : "y", Values = [i, -i] }).ToArray();

    [Fact]
    public void LoadFromEnumerable_makes_typed_columns_from_public_properties()
    {
        var ctx = new OctaveContext(1);
        var data = ctx.Data.LoadFromEnumerable(Rows(4));
        data.Schema.Select(c => c.Name).Should().Equal("Name", "Weight", "Label", "Values");
        data.Schema["Weight"].Type.Should().Be(NumberDataViewType.Single);
        data.Schema["Label"].Type.Should().Be(TextDataViewType.Instance);
        ((VectorDataViewType)data.Schema["Values"].Type).Dimensions.Should().Equal(2);
        data.GetRowCount().Should().Be(4);

        using var cursor = data.GetRowCursor(data.Schema);
        var getter = cursor.GetGetter<float>(data.Schema["Weight"]);
        var weights = new List<float>();
        while (cursor.MoveNext()) { float w = 0; getter(ref w); weights.Add(w); }
        weights.Should().Equal(0, 1, 2, 3);
        var wrong = () => cursor.GetValue<string>(data.Schema["Weight"]);
        wrong.Should().Throw<InvalidOperationException>().WithMessage("*'Weight'*Single*String*");
    }

    [Fact]
    public void CreateEnumerable_reads_rows_back_by_name_and_reports_missing_columns()
    {
        var ctx = new OctaveContext(1);
        var data = ctx.Data.LoadFromEnumerable(Rows(3));
        var back = ctx.Data.CreateEnumerable<Row>(data).ToArray();
        back.Select(r => r.Kind).Should().Equal("x", "y", "y");
        back[2].Values.Should().Equal(2, -2);
        ctx.Data.CreateEnumerable<NameOnly>(data).Select(r => r.Name).Should().Equal("r0", "r1", "r2");

        var other = ctx.Data.LoadFromEnumerable(new[] { new NameOnly { Name = "a" } });
        var missing = () => ctx.Data.CreateEnumerable<Row>(other).ToArray();
        missing.Should().Throw<ArgumentException>().WithMessage("*'Weight' not found*'Name' (String)*");
        ctx.Data.CreateEnumerable<Row>(other, ignoreMissingColumns: true).Single().Name.Should().Be("a");
    }

    [Fact]
    public void TrainTestSplit_is_stratified_disjoint_and_deterministic()
    {
        var ctx = new OctaveContext(1);
        var data = ctx.Data.LoadFromEnumerable(Rows(30)); // 10 x, 20 y
        var split = ctx.Data.TrainTestSplit(data, testFraction: 0.2, seed: 7);
        var train = ctx.Data.CreateEnumerable<Row>(split.TrainSet).ToArray();
        var test = ctx.Data.CreateEnumerable<Row>(split.TestSet).ToArray();
        test.Count(r => r.Kind == "x").Should().Be(2);
        test.Count(r => r.Kind == "y").Should().Be(4);
        train.Length.Should().Be(24);
        split.TestSet.GetRowCount().Should().Be(6);
        train.Select(r => r.Name).Intersect(test.Select(r => r.Name)).Should().BeEmpty();
        var again = ctx.Data.TrainTestSplit(data, testFraction: 0.2, seed: 7);
        ctx.Data.CreateEnumerable<Row>(again.TestSet).Select(r => r.Name).Should().Equal(test.Select(r => r.Name));
        var other = ctx.Data.TrainTestSplit(data, testFraction: 0.2, seed: 8);
        ctx.Data.CreateEnumerable<Row>(other.TestSet).Select(r => r.Name).Should().NotEqual(test.Select(r => r.Name));
    }

    [Fact]
    public void TrainTestSplit_with_a_sampling_key_keeps_groups_together()
    {
        var ctx = new OctaveContext(3);
        var data = ctx.Data.LoadFromEnumerable(Rows(40));
        var split = ctx.Data.TrainTestSplit(data, 0.5, samplingKeyColumnName: "Label", seed: 1);
        var test = ctx.Data.CreateEnumerable<Row>(split.TestSet).Select(r => r.Kind).Distinct().ToArray();
        var train = ctx.Data.CreateEnumerable<Row>(split.TrainSet).Select(r => r.Kind).Distinct().ToArray();
        test.Should().HaveCount(1);
        train.Should().HaveCount(1).And.NotContain(test);
    }

    [Fact]
    public void ShuffleRows_permutes_and_Cache_reads_the_source_once()
    {
        var ctx = new OctaveContext(1);
        int reads = 0;
        IEnumerable<Row> Source() { reads++; return Rows(20); }
        var lazy = ctx.Data.LoadFromEnumerable(Enumerable.Range(0, 1).SelectMany(_ => Source()));
        var cached = ctx.Data.Cache(lazy);
        ctx.Data.CreateEnumerable<Row>(cached).Count().Should().Be(20);
        ctx.Data.CreateEnumerable<Row>(cached).Count().Should().Be(20);
        reads.Should().Be(1);

        var shuffled = ctx.Data.ShuffleRows(cached, seed: 5);
        var names = ctx.Data.CreateEnumerable<Row>(shuffled).Select(r => r.Name).ToArray();
        names.Should().BeEquivalentTo(Rows(20).Select(r => r.Name)).And.NotEqual(Rows(20).Select(r => r.Name));
        ctx.Data.CreateEnumerable<Row>(shuffled).Select(r => r.Name).Should().Equal(names);
        ctx.Data.CreateEnumerable<Row>(ctx.Data.TakeRows(shuffled, 3)).Select(r => r.Name).Should().Equal(names.Take(3));
    }

    [Fact]
    public void LoadFromImageFolder_lists_relative_paths_and_class_folder_labels()
    {
        string root = PipelineTestImages.WriteFolder("folder", perClass: 2);
        try
        {
            File.WriteAllText(Path.Combine(root, "red", "notes.txt"), "not an image");
            var ctx = new OctaveContext(1);
            var data = ctx.Data.LoadFromImageFolder(root);
            data.Schema.Select(c => c.Name).Should().Equal("ImagePath", "Label");
            var rows = ctx.Data.CreateEnumerable<PathRow>(data).ToArray();
            rows.Select(r => r.Label).Should().Equal("green", "green", "red", "red", "stripes", "stripes");
            rows[0].ImagePath.Should().Be(Path.Combine("green", "000.png"));

            var empty = PipelineTestImages.NewFolder("empty");
            var none = () => ctx.Data.LoadFromImageFolder(empty);
            none.Should().Throw<ArgumentException>().WithMessage("*holds no images*");
            Directory.Delete(empty);
        }
        finally { Directory.Delete(root, true); }
    }

    [Fact]
    public void LoadFromTextFile_reads_a_manifest_with_header()
    {
        string root = PipelineTestImages.WriteFolder("manifest", perClass: 1);
        try
        {
            string manifest = Path.Combine(root, "list.csv");
            File.WriteAllLines(manifest, ["label,path", "r,red/000.png", "g,green/000.png"]);
            var ctx = new OctaveContext(1);
            var rows = ctx.Data.CreateEnumerable<PathRow>(ctx.Data.LoadFromTextFile(manifest)).ToArray();
            rows.Select(r => r.Label).Should().Equal("r", "g");
            rows[0].ImagePath.Should().Be(Path.Combine(root, "red", "000.png"));
            File.WriteAllLines(manifest, ["path,label", "onlyonefield"]);
            var bad = () => ctx.Data.LoadFromTextFile(manifest);
            bad.Should().Throw<DatasetFormatException>().WithMessage("*list.csv*line 2*");
        }
        finally { Directory.Delete(root, true); }
    }

    public sealed class PathRow
    {
        public string ImagePath { get; set; } = "";
        public string Label { get; set; } = "";
    }
}
