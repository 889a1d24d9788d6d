using OctaveML.Data;

namespace OctaveML.Tests.Data;

public class DatasetSplitTests
{
    [Fact]
    public void Stratified_split_keeps_class_proportions_and_covers_everything_once()
    {
        var ds = IdxDataset.LoadFolder(DataFiles.FashionSmall, train: true);
        var (train, val) = DatasetSplit.Stratified(ds, 0.2, seed: 7);
        train.Count.Should().Be(1600);
        val.Count.Should().Be(400);
        val.ClassCounts().Should().AllBeEquivalentTo(40);
        train.ClassCounts().Should().AllBeEquivalentTo(160);
        train.Indices.Concat(val.Indices).Order().Should().Equal(Enumerable.Range(0, 2000));
        train.Indices.Should().BeInAscendingOrder();
        for (int i = 0; i < val.Count; i += 37) val.GetLabel(i).Should().Be(ds.GetLabel(val.Indices[i]));
    }

    [Fact]
    public void Uneven_classes_round_per_class()
    {
        // 3 classes of sizes 10, 5, 1 (labels i % 3 over 16 images gives 6, 5, 5 - build explicitly instead).
        int[] labels = [.. Enumerable.Repeat(0, 10), .. Enumerable.Repeat(1, 5), 2];
        var ds = new InMemoryImageDataset(new byte[labels.Length], labels, 1, 1, 1, ["a", "b", "c"]);
        var (train, val) = DatasetSplit.Stratified(ds, 0.3, seed: 1);
        // round(10 * 0.3) = 3, round(5 * 0.3) = round(1.5) = 2, round(0.3) = 0.
        val.ClassCounts().Should().Equal(3, 2, 0);
        train.ClassCounts().Should().Equal(7, 3, 1);
    }

    [Fact]
    public void Split_is_deterministic_per_seed_and_differs_across_seeds()
    {
        var ds = DataFiles.Synthetic(300, classes: 3);
        var a = DatasetSplit.Stratified(ds, 0.25, seed: 11);
        var b = DatasetSplit.Stratified(ds, 0.25, seed: 11);
        var c = DatasetSplit.Stratified(ds, 0.25, seed: 12);
        a.Validation.Indices.Should().Equal(b.Validation.Indices);
        a.Train.Indices.Should().Equal(b.Train.Indices);
        a.Validation.Indices.Should().NotEqual(c.Validation.Indices);
        a.Validation.ClassCounts().Should().Equal(25, 25, 25);
    }

    [Fact]
    public void Bad_fraction_is_rejected_by_name()
    {
        var ds = DataFiles.Synthetic(10);
        FluentActions.Invoking(() => DatasetSplit.Stratified(ds, 1.5)).Should().Throw<ArgumentOutOfRangeException>()
            .Which.ParamName.Should().Be("validationFraction");
    }
}
