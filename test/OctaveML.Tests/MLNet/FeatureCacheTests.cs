using Microsoft.ML;
using Microsoft.ML.Data;
using OctaveML.MLNet;

namespace OctaveML.Tests.MLNet;

public class FeatureCacheTests
{
    private static readonly MLContext Ml = new(1);

    private static FeatureReadResult Read(IDataView data, string? imageFolder = null)
    {
        var classes = TrainingColumns.ClassNames(data.Schema, "Label", "test data");
        var shape = TrainingColumns.FeatureShape(data.Schema, "Features", "test data");
        var settings = new FeatureReadSettings("Features", "Label", "ImagePath", imageFolder, InvalidImageHandling.Throw);
        return FeatureReader.Read(data, "test data", shape, classes, settings, null, CancellationToken.None);
    }

    private static List<float[]> Column(IDataView data)
    {
        var rows = new List<float[]>();
        using var cursor = data.GetRowCursor([data.Schema["Features"]]);
        var get = cursor.GetGetter<VBuffer<float>>(data.Schema["Features"]);
        VBuffer<float> v = default;
        while (cursor.MoveNext())
        {
            get(ref v);
            rows.Add(v.DenseValues().ToArray());
        }
        return rows;
    }

    private static void ShouldHoldExactly(FeatureCache cache, List<float[]> expected)
    {
        cache.Count.Should().Be(expected.Count);
        var image = new float[expected[0].Length];
        for (int i = 0; i < expected.Count; i++)
        {
            cache.GetImage(i, image);
            image.Select(BitConverter.SingleToInt32Bits).Should().Equal(expected[i].Select(BitConverter.SingleToInt32Bits), $"image {i} must come back bit for bit");
        }
    }

    [Theory]
    [InlineData(1f, 0f)]
    [InlineData(1f / 255, 0f)]
    [InlineData(0.0173f, 117.5f)]
    [InlineData(-2.5f, -3f)]
    public void ExtractPixels_output_is_cached_as_bytes_and_read_back_bit_for_bit(float scale, float offset)
    {
        var rows = Ml.Data.LoadFromEnumerable(MLNetImages.FashionRows(4));
        var data = MLNetImages.Preprocessing(Ml, MLNetImages.FashionFolder, 12, scale, offset).Fit(rows).Transform(rows);

        var read = Read(data, MLNetImages.FashionFolder);

        read.Cache.IsBytes.Should().BeTrue();
        read.Cache.SizeInBytes.Should().Be(12L * 3 * 12 * 12, "one byte per value");
        ShouldHoldExactly(read.Cache, Column(data));
        Enumerable.Range(0, 12).Select(read.Cache.GetLabel).Should().Equal(0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2);
    }

    public sealed class VectorRow
    {
        [VectorType(3, 16, 16)] public float[] Features { get; set; } = [];
        public string Label { get; set; } = "";
    }

    private static IDataView Vectors(IEnumerable<float[]> images) =>
        Ml.Transforms.Conversion.MapValueToKey("Label").Fit(Ml.Data.LoadFromEnumerable(images.Select((f, i) => new VectorRow { Features = f, Label = (i % 2).ToString() })))
            .Transform(Ml.Data.LoadFromEnumerable(images.Select((f, i) => new VectorRow { Features = f, Label = (i % 2).ToString() })));

    [Fact]
    public void Features_with_more_than_256_values_in_a_channel_fall_back_to_float32_exactly()
    {
        var rng = new Random(3);
        // Ten images of 200 levels per channel (bytes), then one whose last channel is continuous.
        var images = Enumerable.Range(0, 11).Select(i => Enumerable.Range(0, 768)
            .Select(k => i == 10 && k >= 512 ? (float)rng.NextDouble() : rng.Next(200) * 0.37f - 5f).ToArray()).ToList();
        var data = Vectors(images);

        var read = Read(data);

        read.Cache.IsBytes.Should().BeFalse();
        read.Cache.FallbackReason.Should().Be("channel 2 of image 10 brings more than 256 distinct values");
        read.Cache.SizeInBytes.Should().Be(11L * 768 * sizeof(float));
        ShouldHoldExactly(read.Cache, images);
    }

    [Fact]
    public void Negative_zero_and_extreme_values_come_back_as_they_were()
    {
        float[] special = [0f, -0f, float.Epsilon, -float.MaxValue, float.MaxValue, 1e-30f];
        var images = Enumerable.Range(0, 4).Select(i => Enumerable.Range(0, 768).Select(k => special[(k + i) % special.Length]).ToArray()).ToList();

        var read = Read(Vectors(images));

        read.Cache.IsBytes.Should().BeTrue();
        ShouldHoldExactly(read.Cache, images);
    }

    [Fact]
    public void The_byte_cache_of_224_px_images_takes_one_byte_per_value_in_16_MB_chunks()
    {
        var shape = new ImageShape(3, 224, 224);
        var cache = new FeatureCache(shape, ["a", "b"]);
        var image = new float[shape.Size];
        for (int i = 0; i < 250; i++)
        {
            for (int k = 0; k < image.Length; k++) image[k] = (k + i) % 256 / 255f;
            cache.Add(image, i % 2);
        }
        cache.Seal();

        cache.IsBytes.Should().BeTrue();
        cache.SizeInBytes.Should().Be(250L * 150_528, "5,000 such images take 752,640,000 bytes; as float32 they would take 3,010,560,000");
        cache.GetImage(249, image);
        image[0].Should().Be(249 / 255f);
        ((Action)(() => cache.Add(image, 0))).Should().Throw<InvalidOperationException>().WithMessage("*sealed*");
    }

    [Fact]
    public void Rows_without_a_label_are_left_out_and_counted()
    {
        var rows = MLNetImages.FashionRows(2, ["Bag", "Trouser"]);
        var keys = Ml.Transforms.Conversion.MapValueToKey("Label").Fit(Ml.Data.LoadFromEnumerable(rows));
        rows.Add(new ImageRow { ImagePath = rows[0].ImagePath, Label = "Unknown" });
        var data = Ml.Transforms.LoadImages("Image", MLNetImages.FashionFolder, "ImagePath").Append(Ml.Transforms.ResizeImages("Image", 8, 8))
            .Append(Ml.Transforms.ExtractPixels("Features", "Image")).Fit(keys.Transform(Ml.Data.LoadFromEnumerable(rows)))
            .Transform(keys.Transform(Ml.Data.LoadFromEnumerable(rows)));

        var read = Read(data, MLNetImages.FashionFolder);

        read.Cache.Count.Should().Be(4);
        read.UnlabelledRows.Should().Be(1);
    }

    [Fact]
    public void Features_holding_NaN_are_rejected_naming_the_row_and_column()
    {
        var images = Enumerable.Range(0, 3).Select(i => new float[768]).ToList();
        images[2][100] = float.NaN;

        var act = () => Read(Vectors(images));

        act.Should().Throw<InvalidOperationException>().WithMessage("row 2 of test data holds NaN or infinity in column 'Features'.");
    }
}
