using OctaveML.Imaging;
using OctaveML.Pipeline;

namespace OctaveML.Tests.Pipeline;

public class TransformTests
{
    public sealed class LabelRow
    {
        public string Label { get; set; } = "";
    }

    public sealed class KeyRow
    {
        public uint Label { get; set; }
    }

    private static LabelRow[] Labels(params string[] labels) => labels.Select(l => new LabelRow { Label = l }).ToArray();

    [Fact]
    public void MapValueToKey_numbers_by_occurrence_by_default_and_by_value_on_request()
    {
        var ctx = new OctaveContext(1);
        var data = ctx.Data.LoadFromEnumerable(Labels("dog", "cat", "dog", "ant"));
        var model = ctx.Transforms.Conversion.MapValueToKey("Label").Fit(data);
        model.KeyValues[0].Should().Equal("dog", "cat", "ant");
        var keyed = model.Transform(data);
        keyed.Schema["Label"].Type.Should().Be(new KeyDataViewType(3));
        keyed.Schema["Label"].KeyValues.Should().Equal("dog", "cat", "ant");
        ctx.Data.CreateEnumerable<KeyRow>(keyed).Select(r => r.Label).Should().Equal(1u, 2u, 1u, 3u);

        var byValue = ctx.Transforms.Conversion.MapValueToKey("Label", keyOrdinality: ValueToKeyMappingEstimator.KeyOrdinality.ByValue).Fit(data);
        byValue.KeyValues[0].Should().Equal("ant", "cat", "dog");

        // Unseen values map to key 0 (missing), and back to the empty string.
        var unseen = model.Transform(ctx.Data.LoadFromEnumerable(Labels("cat", "emu")));
        ctx.Data.CreateEnumerable<KeyRow>(unseen).Select(r => r.Label).Should().Equal(2u, 0u);
        var back = ctx.Transforms.Conversion.MapKeyToValue("Text", "Label").Fit(unseen).Transform(unseen);
        back.Schema["Text"].Type.Should().Be(TextDataViewType.Instance);
        ctx.Data.CreateEnumerable<TextRow>(back).Select(r => r.Text).Should().Equal("cat", "");
    }

    public sealed class TextRow
    {
        public string Text { get; set; } = "";
    }

    [Fact]
    public void Chains_fit_each_step_on_the_previous_output_and_name_missing_columns()
    {
        var ctx = new OctaveContext(1);
        var data = ctx.Data.LoadFromEnumerable(Labels("b", "a"));
        var chain = ctx.Transforms.Conversion.MapValueToKey("Key", "Label")
            .Append(ctx.Transforms.Conversion.MapKeyToValue("Again", "Key"));
        var model = chain.Fit(data);
        model.Count().Should().Be(2);
        model.LastTransformer.Should().BeOfType<KeyToValueMappingTransformer>();
        ctx.Data.CreateEnumerable<AgainRow>(model.Transform(data)).Select(r => r.Again).Should().Equal("b", "a");

        var missing = () => ctx.Transforms.Conversion.MapValueToKey("Label", "Category").Fit(data);
        missing.Should().Throw<ArgumentException>().WithMessage("*'Category' not found*'Label' (String)*");
        var notKey = () => ctx.Transforms.Conversion.MapKeyToValue("Label").Fit(data);
        notKey.Should().Throw<ArgumentException>().WithMessage("*'Label' has type String; expected a key column*");
        var wrongType = () => ctx.Transforms.ResizeImages("Label", 8, 8).Fit(data);
        wrongType.Should().Throw<ArgumentException>().WithMessage("*'Label' has type String; expected an image*");
        var empty = () => ctx.Transforms.Conversion.MapValueToKey("Label").Fit(ctx.Data.LoadFromEnumerable(Array.Empty<LabelRow>()));
        empty.Should().Throw<ArgumentException>().WithMessage("*no values in column 'Label'*");
    }

    public sealed class AgainRow
    {
        public string Again { get; set; } = "";
    }

    public sealed class PixelRow
    {
        public string ImagePath { get; set; } = "";
        public Image Image { get; set; } = null!;
        public float[] Features { get; set; } = [];
        public byte[] Bytes { get; set; } = [];
    }

    [Fact]
    public void Images_load_resize_and_extract_like_the_imaging_functions()
    {
        string root = PipelineTestImages.WriteFolder("images", perClass: 1);
        try
        {
            var ctx = new OctaveContext(1);
            var data = ctx.Data.LoadFromImageFolder(root);
            var pipeline = ctx.Transforms.LoadImages("Original", root, "ImagePath")
                .Append(ctx.Transforms.LoadRawImageBytes("Bytes", root, "ImagePath"))
                .Append(ctx.Transforms.ResizeImages("Image", 8, 6, "Original", ResizingKind.Fill))
                .Append(ctx.Transforms.ExtractPixels("Features", "Image", scaleImage: 1f / 255));
            var output = pipeline.Fit(data).Transform(data);
            ((ImageDataViewType)output.Schema["Image"].Type).Should().Match<ImageDataViewType>(t => t.Width == 8 && t.Height == 6);
            ((VectorDataViewType)output.Schema["Features"].Type).Dimensions.Should().Equal(3, 6, 8);

            var rows = ctx.Data.CreateEnumerable<PixelRow>(output).ToArray();
            rows.Should().HaveCount(3);
            foreach (var row in rows)
            {
                string file = Path.Combine(root, row.ImagePath);
                row.Bytes.Should().Equal(File.ReadAllBytes(file));
                var expected = ImageResizer.Resize(ImageDecoder.Decode(file), 8, 6, ResizingKind.Fill);
                row.Image.Pixels.Should().Equal(expected.Pixels);
                row.Features.Should().Equal(PixelExtractor.Extract(expected, new PixelExtractionOptions { Scale = 1f / 255 }));
            }
            // The red image's first plane is bright, its second dark (CHW, RGB order).
            var red = rows.Single(r => r.ImagePath.StartsWith("red"));
            red.Features.Take(48).Average().Should().BeGreaterThan(0.7f);
            red.Features.Skip(48).Take(48).Average().Should().BeLessThan(0.2f);

            var bgr = ctx.Transforms.LoadImages("Image", root, "ImagePath")
                .Append(ctx.Transforms.ResizeImages("Image", 4, 4))
                .Append(ctx.Transforms.ExtractPixels("Features", "Image", orderOfExtraction: ImagePixelExtractingEstimator.ColorsOrder.ABGR, interleavePixelColors: true));
            var bgrOut = bgr.Fit(data).Transform(data);
            ((VectorDataViewType)bgrOut.Schema["Features"].Type).Dimensions.Should().Equal(4, 4, 3);
            var redBgr = ctx.Data.CreateEnumerable<PixelRow>(bgrOut, ignoreMissingColumns: true).Single(r => r.ImagePath.StartsWith("red")).Features;
            redBgr[2].Should().BeGreaterThan(150); // interleaved B, G, R: red last
            redBgr[0].Should().BeLessThan(60);

            var unsized = () => ctx.Transforms.LoadImages("Image", root, "ImagePath")
                .Append(ctx.Transforms.ExtractPixels("Features", "Image")).Fit(data);
            unsized.Should().Throw<ArgumentException>().WithMessage("*varying size*ResizeImages*");
            var alpha = () => ctx.Transforms.ExtractPixels("F", "Image", colorsToExtract: ImagePixelExtractingEstimator.ColorBits.All);
            alpha.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*colorsToExtract*");
        }
        finally { Directory.Delete(root, true); }
    }

    [Fact]
    public void A_missing_image_file_fails_the_read_naming_the_file()
    {
        string root = PipelineTestImages.WriteFolder("missing", perClass: 1);
        try
        {
            var ctx = new OctaveContext(1);
            var data = ctx.Data.LoadFromImageFolder(root);
            var model = ctx.Transforms.LoadImages("Image", root, "ImagePath").Fit(data);
            File.Delete(Path.Combine(root, "red", "000.png"));
            var read = () => ctx.Data.CreateEnumerable<PixelRow>(model.Transform(data), ignoreMissingColumns: true).ToArray();
            read.Should().Throw<FileNotFoundException>().WithMessage("*000.png*");
        }
        finally { Directory.Delete(root, true); }
    }
}
