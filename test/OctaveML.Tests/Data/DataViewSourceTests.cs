using Microsoft.ML;
using Microsoft.ML.Data;
using OctaveML.Data;

namespace OctaveML.Tests.Data;

/// <summary>
/// ml.Data.LoadFromIdx and LoadFromCifar10: the readers' images as an ML.NET data view with a planar
/// [C, H, W] Features vector (bytes as floats, as ExtractPixels gives them) and a Label key whose key
/// values are the class names, read back through ML.NET's own operations.
/// </summary>
public class DataViewSourceTests
{
    public sealed class FashionRow
    {
        [VectorType(1, 28, 28)]
        public float[] Features { get; set; } = [];

        [KeyType(10)]
        public uint Label { get; set; }
    }

    public sealed class NamedRow
    {
        public string Label { get; set; } = "";
    }

    [Fact]
    public void The_shipped_IDX_folder_reads_as_features_of_shape_1x28x28_and_named_label_keys()
    {
        var ml = new MLContext(seed: 1);
        var view = ml.Data.LoadFromIdx(DataFiles.FashionSmall, train: true);
        var expected = IdxDataset.LoadFolder(DataFiles.FashionSmall, train: true);

        view.GetRowCount().Should().Be(2000);
        view.Schema["Features"].Type.Should().BeOfType<VectorDataViewType>().Which.Dimensions.Should().Equal(1, 28, 28);
        view.Schema["Label"].Type.Should().BeOfType<KeyDataViewType>().Which.Count.Should().Be(10UL);
        VBuffer<ReadOnlyMemory<char>> keyValues = default;
        view.Schema["Label"].GetKeyValues(ref keyValues);
        keyValues.DenseValues().Select(v => v.ToString()).Should().Equal(IdxDataset.FashionMnistClassNames);

        var rows = ml.Data.CreateEnumerable<FashionRow>(view, reuseRowObject: false).ToList();
        rows.Should().HaveCount(expected.Count);
        foreach (int i in new[] { 0, 1, 999, 1999 })
        {
            rows[i].Features.Should().Equal(expected.GetPixels(i).ToArray().Select(b => (float)b));
            rows[i].Label.Should().Be((uint)expected.GetLabel(i) + 1, "key 1 is the first class");
        }
        // ML.NET's own key mapping turns the keys back into the class names.
        var named = ml.Transforms.Conversion.MapKeyToValue("Label").Fit(view).Transform(view);
        ml.Data.CreateEnumerable<NamedRow>(named, reuseRowObject: false).Take(5).Select(r => r.Label)
            .Should().Equal(Enumerable.Range(0, 5).Select(i => IdxDataset.FashionMnistClassNames[expected.GetLabel(i)]));
    }

    [Fact]
    public void TrainTestSplit_of_an_IDX_view_partitions_its_rows()
    {
        var ml = new MLContext(seed: 1);
        var split = ml.Data.TrainTestSplit(ml.Data.LoadFromIdx(DataFiles.FashionSmall, train: false), testFraction: 0.2, seed: 3);
        int train = ml.Data.CreateEnumerable<FashionRow>(split.TrainSet, reuseRowObject: true).Count();
        int test = ml.Data.CreateEnumerable<FashionRow>(split.TestSet, reuseRowObject: true).Count();
        (train + test).Should().Be(500);
        test.Should().BeInRange(50, 150);
    }

    public sealed class CifarRow
    {
        [VectorType(3, 32, 32)]
        public float[] Features { get; set; } = [];

        public uint Label { get; set; }
    }

    [Fact]
    public void A_CIFAR_10_folder_reads_as_features_of_shape_3x32x32_with_the_meta_file_class_names()
    {
        using var tmp = new DataFiles.TempFolder();
        File.WriteAllBytes(tmp.File("test_batch.bin"), DataFiles.Cifar(2, 0, 1));
        File.WriteAllLines(tmp.File("batches.meta.txt"), ["cat", "dog", "owl"]);
        var ml = new MLContext(seed: 1);

        var view = ml.Data.LoadFromCifar10(tmp.Path, train: false);

        view.Schema["Features"].Type.Should().BeOfType<VectorDataViewType>().Which.Dimensions.Should().Equal(3, 32, 32);
        VBuffer<ReadOnlyMemory<char>> keyValues = default;
        view.Schema["Label"].GetKeyValues(ref keyValues);
        keyValues.DenseValues().Select(v => v.ToString()).Should().Equal("cat", "dog", "owl");
        var rows = ml.Data.CreateEnumerable<CifarRow>(view, reuseRowObject: false).ToList();
        rows.Select(r => r.Label).Should().Equal(3u, 1u, 2u);
        int j = 1024 + 2 * 32 + 5; // record 1, green plane, row 2, column 5
        rows[1].Features[j].Should().Be((31 + j) % 256);
    }

    [Fact]
    public void A_missing_folder_is_an_error_naming_it()
    {
        string missing = Path.Combine(Path.GetTempPath(), "no-such-octaveml-idx-" + Guid.NewGuid().ToString("N"));
        var ml = new MLContext();
        FluentActions.Invoking(() => ml.Data.LoadFromIdx(missing)).Should().Throw<DirectoryNotFoundException>().WithMessage($"*{missing}*");
        FluentActions.Invoking(() => ml.Data.LoadFromCifar10(missing)).Should().Throw<DirectoryNotFoundException>().WithMessage($"*{missing}*");
    }

    [Fact]
    public void Reading_a_column_as_another_type_names_the_column_and_both_types()
    {
        var ml = new MLContext();
        var view = ml.Data.LoadFromIdx(DataFiles.FashionSmall, train: false);
        using var cursor = view.GetRowCursor(view.Schema);
        cursor.MoveNext().Should().BeTrue();
        FluentActions.Invoking(() => cursor.GetGetter<float>(view.Schema["Label"])).Should().Throw<InvalidOperationException>()
            .WithMessage("*'Label'*Single*");
    }
}
