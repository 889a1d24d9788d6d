using OctaveML.Data;
using OctaveML.Data.Augmentations;

namespace OctaveML.Tests.Data;

public class RandomErasingTests
{
    private static Batch DistinctPixels(int[] indices, int epoch, int c, int h, int w, ulong seed = 0)
    {
        var ds = DataFiles.Synthetic(1000, channels: c, h: h, w: w);
        var loader = new DataLoader(ds, new DataLoaderOptions { Shuffle = false, Seed = seed });
        var b = loader.CreateBatch(indices, epoch);
        for (int i = 0; i < b.Images.Length; i++) b.Images.Data[i] = i * 0.001f + 0.5f; // no pixel is the erase value
        return b;
    }

    [Fact]
    public void Erasing_sets_the_drawn_rectangle_of_every_channel_to_the_value_and_leaves_the_rest()
    {
        var erase = new RandomErasing(probability: 0.7, seed: 5, value: -2f);
        int[] indices = Enumerable.Range(0, 60).ToArray();
        var b = DistinctPixels(indices, epoch: 3, c: 3, h: 12, w: 10);
        var before = b.Images.Clone();
        erase.Apply(b);
        int erased = 0;
        for (int n = 0; n < indices.Length; n++)
        {
            var rect = erase.Rectangle(3, indices[n], 12, 10);
            if (rect is not null) erased++;
            for (int c = 0; c < 3; c++) for (int y = 0; y < 12; y++) for (int x = 0; x < 10; x++)
            {
                bool inside = rect is { } r && y >= r.Top && y < r.Top + r.Height && x >= r.Left && x < r.Left + r.Width;
                b.Images[n, c, y, x].Should().Be(inside ? -2f : before[n, c, y, x]);
            }
        }
        erased.Should().BeInRange(30, 55);
    }

    [Fact]
    public void Rectangles_follow_torchvisions_bounds_of_area_aspect_and_position()
    {
        var erase = new RandomErasing(probability: 1, seed: 11);
        const int h = 28, w = 28;
        var rects = Enumerable.Range(0, 3000).Select(i => erase.Rectangle(0, i, h, w)).ToArray();
        rects.Count(r => r is null).Should().BeLessThan(30); // on 28 x 28 a fitting rectangle is nearly always found
        foreach (var r in rects.OfType<(int Top, int Left, int Height, int Width)>())
        {
            r.Height.Should().BeInRange(1, h - 1);
            r.Width.Should().BeInRange(1, w - 1);
            (r.Top + r.Height).Should().BeLessThanOrEqualTo(h);
            (r.Left + r.Width).Should().BeLessThanOrEqualTo(w);
            // Rounding each side moves the area by at most half a pixel per side.
            double share = (double)r.Height * r.Width / (h * w);
            share.Should().BeInRange(0.02 * 0.5, 0.33 * 1.5);
        }
        var fitted = rects.OfType<(int Top, int Left, int Height, int Width)>().ToArray();
        fitted.Select(r => r.Top).Distinct().Count().Should().BeGreaterThan(15);
        fitted.Count(r => r.Height > r.Width).Should().BeInRange(fitted.Length / 3, 2 * fitted.Length / 3); // log-uniform ratio around 1
        double meanShare = fitted.Average(r => (double)r.Height * r.Width / (h * w));
        meanShare.Should().BeInRange(0.12, 0.22); // uniform in [0.02, 0.33] has mean 0.175 before the fitting rejections
    }

    [Fact]
    public void Erasing_is_keyed_on_epoch_index_and_loader_seed_not_on_batch_position()
    {
        var erase = new RandomErasing(0.5, seed: 2);
        erase.Rectangle(4, 17, 20, 20).Should().Be(erase.Rectangle(4, 17, 20, 20));
        Enumerable.Range(0, 100).Count(i => erase.Rectangle(0, i, 20, 20) != erase.Rectangle(1, i, 20, 20)).Should().BeGreaterThan(40);
        Enumerable.Range(0, 100).Count(i => erase.Rectangle(0, i, 20, 20) != erase.Rectangle(0, i, 20, 20, loaderSeed: 9)).Should().BeGreaterThan(40);

        var a = DistinctPixels([5, 6], epoch: 2, c: 1, h: 20, w: 20);
        var b = DistinctPixels([6, 5], epoch: 2, c: 1, h: 20, w: 20);
        a.Images.Data.AsSpan(0, 400).CopyTo(b.Images.Data.AsSpan(400, 400));
        erase.Apply(a); erase.Apply(b);
        a.Images.Data.AsSpan(0, 400).SequenceEqual(b.Images.Data.AsSpan(400, 400)).Should().BeTrue();
    }

    [Fact]
    public void Probability_zero_changes_nothing_and_bad_settings_are_rejected()
    {
        var b = DistinctPixels(Enumerable.Range(0, 20).ToArray(), 0, c: 3, h: 8, w: 8);
        var before = b.Images.Clone();
        new RandomErasing(0).Apply(b);
        b.Images.Data.Should().Equal(before.Data);
        new RandomErasing(1).Rectangle(0, 0, 1, 1).Should().BeNull(); // as torchvision: the rectangle must be smaller than the image

        FluentActions.Invoking(() => new RandomErasing(1.5)).Should().Throw<ArgumentOutOfRangeException>().WithMessage("*probability*");
        FluentActions.Invoking(() => new RandomErasing(0.5, minScale: 0.4, maxScale: 0.3)).Should().Throw<ArgumentOutOfRangeException>().WithMessage("*minScale*");
        FluentActions.Invoking(() => new RandomErasing(0.5, minRatio: 0)).Should().Throw<ArgumentOutOfRangeException>().WithMessage("*minRatio*");
        FluentActions.Invoking(() => new RandomErasing(0.5, value: float.NaN)).Should().Throw<ArgumentOutOfRangeException>().WithMessage("*value*");
    }
}
