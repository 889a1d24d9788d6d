using OctaveML.Data;
using OctaveML.Data.Augmentations;
using OctaveML.Tensors;

namespace OctaveML.Tests.Data;

public class AugmentationTests
{
    private static Batch RandomBatch(int[] indices, int epoch, int c = 3, int h = 5, int w = 6)
    {
        var ds = DataFiles.Synthetic(1000, channels: c, h: h, w: w);
        var loader = new DataLoader(ds, new DataLoaderOptions { Shuffle = false });
        var b = loader.CreateBatch(indices, epoch);
        // Give every pixel a distinct value so shifts and flips are visible.
        for (int i = 0; i < b.Images.Length; i++) b.Images.Data[i] = i * 0.001f + 0.5f;
        return b;
    }

    [Fact]
    public void Random_crop_equals_pad_then_crop_at_the_drawn_offset()
    {
        var crop = new RandomCrop(padding: 2, seed: 9, fill: -1f);
        var b = RandomBatch([3, 10, 500, 7], epoch: 1);
        var before = b.Images.Clone();
        crop.Apply(b);
        var x = b.Images;
        for (int n = 0; n < x.N; n++)
        {
            var (dy, dx) = crop.Offset(1, b.Indices[n]);
            dy.Should().BeInRange(-2, 2);
            for (int c = 0; c < x.C; c++)
                for (int y = 0; y < x.H; y++)
                    for (int xx = 0; xx < x.W; xx++)
                    {
                        // Padded image P has P[y + 2, x + 2] = image[y, x]; the crop starts at (dy + 2, dx + 2).
                        int sy = y + dy, sx = xx + dx;
                        float expected = sy < 0 || sy >= x.H || sx < 0 || sx >= x.W ? -1f : before[n, c, sy, sx];
                        x[n, c, y, xx].Should().Be(expected);
                    }
        }
    }

    [Fact]
    public void Random_crop_is_keyed_on_epoch_and_index_not_on_batch_position()
    {
        var crop = new RandomCrop(4, seed: 1);
        crop.Offset(0, 17).Should().Be(crop.Offset(0, 17));
        var offsets = Enumerable.Range(0, 2000).Select(i => crop.Offset(0, i)).ToArray();
        offsets.Select(o => o.Dy).Distinct().Order().Should().Equal(Enumerable.Range(-4, 9));
        offsets.Select(o => o.Dx).Distinct().Order().Should().Equal(Enumerable.Range(-4, 9));
        Enumerable.Range(0, 50).Count(i => crop.Offset(0, i) != crop.Offset(1, i)).Should().BeGreaterThan(35);

        var a = RandomBatch([5, 6], epoch: 2);
        var b = RandomBatch([6, 5], epoch: 2);
        // Same source pixels for index 5 in both batches, then crop.
        a.Images.Data.AsSpan(0, 90).CopyTo(b.Images.Data.AsSpan(90, 90));
        crop.Apply(a); crop.Apply(b);
        a.Images.Data.AsSpan(0, 90).SequenceEqual(b.Images.Data.AsSpan(90, 90)).Should().BeTrue();
    }

    [Fact]
    public void Horizontal_flip_mirrors_about_half_the_images()
    {
        var flip = new RandomHorizontalFlip(0.5, seed: 4);
        var b = RandomBatch(Enumerable.Range(0, 200).ToArray(), epoch: 0, c: 3, h: 3, w: 4);
        var before = b.Images.Clone();
        flip.Apply(b);
        int flipped = 0;
        for (int n = 0; n < 200; n++)
        {
            bool f = flip.Flips(0, n);
            if (f) flipped++;
            for (int c = 0; c < 3; c++) for (int y = 0; y < 3; y++) for (int x = 0; x < 4; x++)
                b.Images[n, c, y, x].Should().Be(before[n, c, y, f ? 3 - x : x]);
        }
        flipped.Should().BeInRange(75, 125);
        new RandomHorizontalFlip(0).Flips(0, 1).Should().BeFalse();
        new RandomHorizontalFlip(1).Flips(0, 1).Should().BeTrue();
    }

    [Fact]
    public void Normalize_subtracts_mean_and_divides_by_std_per_channel()
    {
        var b = RandomBatch([1, 2], 0, c: 3, h: 2, w: 2);
        var before = b.Images.Clone();
        float[] mean = [0.1f, 0.2f, 0.3f], std = [0.5f, 0.25f, 2f];
        new Normalize(mean, std).Apply(b);
        for (int n = 0; n < 2; n++) for (int c = 0; c < 3; c++) for (int y = 0; y < 2; y++) for (int x = 0; x < 2; x++)
            b.Images[n, c, y, x].Should().Be((before[n, c, y, x] - mean[c]) / std[c]);
        FluentActions.Invoking(() => new Normalize([0f], [0f])).Should().Throw<ArgumentOutOfRangeException>().WithMessage("*std*");
        FluentActions.Invoking(() => new Normalize([0f, 0f], [1f])).Should().Throw<ArgumentException>().WithMessage("*std*");
    }

    [Fact]
    public void Channel_statistics_match_Python_on_the_shipped_slice()
    {
        // Python over the same 2,000 images: mean 0.28644867697078835, std 0.3544346046159481.
        var ds = IdxDataset.LoadFolder(DataFiles.FashionSmall, train: true);
        var (mean, std) = ChannelStatistics.Compute(ds);
        mean.Should().ContainSingle().Which.Should().BeApproximately(0.28644868f, 1e-6f);
        std.Should().ContainSingle().Which.Should().BeApproximately(0.35443460f, 1e-6f);
    }

    [Fact]
    public void Loader_with_composed_augmentations_is_reproducible()
    {
        var ds = IdxDataset.LoadFolder(DataFiles.FashionSmall, train: true).Take(100);
        var (mean, std) = ChannelStatistics.Compute(ds);
        IBatchTransform Aug() => new Compose(new RandomCrop(4, seed: 3), new RandomHorizontalFlip(seed: 3), new Normalize(mean, std));
        Batch[] Run(int prefetch, ulong seed = 8) =>
            new DataLoader(ds, new DataLoaderOptions { BatchSize = 32, Seed = seed, Transform = Aug(), PrefetchBatches = prefetch })
                .GetEpoch(2).ToArray();
        var a = Run(2).Select(b => b.Images).ToArray();
        var b = Run(0).Select(b => b.Images).ToArray();
        a.Should().HaveCount(4);
        for (int i = 0; i < a.Length; i++) a[i].Data.Should().Equal(b[i].Data);

        // The loader's seed also changes the augmentation: the same image in another seed's epoch differs.
        var other = Run(2, seed: 9);
        var first = Run(2)[0];
        int j = Array.FindIndex(other, bb => bb.Indices.Contains(first.Indices[0]));
        int k = Array.IndexOf(other[j].Indices, first.Indices[0]);
        var crop = new RandomCrop(4, seed: 3);
        crop.Offset(2, first.Indices[0], 8).Should().NotBe(crop.Offset(2, first.Indices[0], 9), "this index was checked to draw different shifts");
        other[j].Images.Data.AsSpan(k * 784, 784).SequenceEqual(first.Images.Data.AsSpan(0, 784)).Should().BeFalse();
        // Normalised: the epoch's pixels are roughly centred (shifts add some zero padding).
        a.SelectMany(t => t.Data).Average().Should().BeInRange(-0.3f, 0.1f);
    }
}
