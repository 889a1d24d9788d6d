using OctaveML.Data;
using OctaveML.Data.Augmentations;
using OctaveML.MLNet;

namespace OctaveML.Tests.MLNet;

public class CacheBatchSourceTests
{
    private static FeatureCache Cache(int images)
    {
        var cache = new FeatureCache(new ImageShape(3, 6, 5), ["a", "b", "c"]);
        var rng = new Random(5);
        for (int i = 0; i < images; i++) cache.Add(Enumerable.Range(0, 90).Select(_ => rng.Next(256) / 255f).ToArray(), i % 3);
        cache.Seal();
        return cache;
    }

    [Fact]
    public void Batches_are_the_engine_loader_batches_in_one_tensor_with_the_last_filled_from_the_epoch_start()
    {
        var cache = Cache(23);
        var (mean, std) = ChannelStatistics.Compute(cache);
        IBatchTransform Transform() => new Compose(new Normalize(mean, std), new RandomCrop(2, 9), new RandomHorizontalFlip(0.5, 9));
        using var source = new CacheBatchSource(cache, 5, shuffle: true, seed: 17, fillLastBatch: true, Transform());
        using var loader = new DataLoader(cache, new DataLoaderOptions { BatchSize = 5, Shuffle = true, Seed = 17, Transform = Transform() });

        for (int epoch = 0; epoch < 2; epoch++)
        {
            var expected = loader.GetEpoch(epoch).ToList();
            var order = loader.EpochOrder(epoch);
            // The last batch of 3 is topped up with the epoch's first 2 images (their augmentation keyed by their index).
            expected[^1] = loader.CreateBatch([.. order[20..], .. order[..2]], epoch, 4, applyTransform: true);
            var tensors = new HashSet<object>(ReferenceEqualityComparer.Instance);
            int b = 0;
            foreach (var (images, labels) in source.GetEpoch(epoch, 0, CancellationToken.None))
            {
                images.Data.Should().Equal(expected[b].Images.Data, $"epoch {epoch}, batch {b}");
                labels.Should().Equal(expected[b].Labels);
                tensors.Add(images);
                b++;
            }
            b.Should().Be(5);
            tensors.Should().ContainSingle("every batch, the topped-up last one too, is written into one tensor");
        }
        source.Seed.Should().Be(17UL);
        source.GetEpoch(1, 3, CancellationToken.None).First().Labels.Should().Equal(loader.GetEpoch(1, 3).First().Labels, "a resumed epoch");
    }

    [Fact]
    public void A_validation_source_has_no_seed_and_gives_every_image_once_in_order()
    {
        var cache = Cache(7);
        using var source = new CacheBatchSource(cache, 4, shuffle: false, seed: 3, fillLastBatch: false, new Compose());

        source.Seed.Should().BeNull();
        source.GetEpoch(0, 0, CancellationToken.None).Select(b => b.Labels.ToArray()).Should().BeEquivalentTo(
            new[] { new[] { 0, 1, 2, 0 }, new[] { 1, 2, 0 } }, o => o.WithStrictOrdering(), "every image once, in order, the last batch smaller");
    }
}
