using Microsoft.ML;
using Microsoft.ML.Data;
using OctaveML.Tests.Infrastructure;
using OctaveML.Models;
using OctaveML.Onnx;
using OctaveML.Tensors;
using static OctaveML.Tests.Onnx.OnnxTestModels;

namespace OctaveML.Tests.Onnx;

/// <summary>
/// The chain consumes ML.NET's own image columns as they come: LoadImages, ResizeImages and
/// ExtractPixels (a vector with dimensions [C, H, W]) feed ApplyOnnxModel with no extra step, and the
/// planar order the export assumes (channel, row, column) is ExtractPixels'.
/// </summary>
public sealed class OnnxImagePipelineTests : IDisposable
{
    private const int Width = 24, Height = 20;
    private readonly DirectoryInfo _temp = Directory.CreateTempSubdirectory("octaveml-image-test-");

    public void Dispose() => _temp.Delete(recursive: true);

    public sealed class ImageRow
    {
        public string Path { get; set; } = "";
    }

    /// <summary>Red grows along x, green along y, blue per image: positions are recognisable in the pixels.</summary>
    private string WriteImage(int index)
    {
        var pixels = new byte[Width * Height * 3];
        for (int y = 0; y < Height; y++)
            for (int x = 0; x < Width; x++)
            {
                int p = (y * Width + x) * 3;
                (pixels[p], pixels[p + 1], pixels[p + 2]) = ((byte)(x * 10), (byte)(y * 12), (byte)(40 * index + 3));
            }
        string path = System.IO.Path.Combine(_temp.FullName, $"image{index}.png");
        TestPng.Save(path, Width, Height, pixels);
        return path;
    }

    [Fact]
    public void ExtractPixels_output_feeds_the_chain_directly_in_the_planar_order_the_export_assumes()
    {
        var ml = new MLContext(seed: 1) { TempFilePath = _temp.FullName };
        var rows = Enumerable.Range(0, 4).Select(i => new ImageRow { Path = WriteImage(i) }).ToArray();
        var images = ml.Transforms.LoadImages("Image", null, nameof(ImageRow.Path))
            .Append(ml.Transforms.ResizeImages("Image", Width, Height))
            .Append(ml.Transforms.ExtractPixels("Features", "Image"));
        var data = ml.Data.LoadFromEnumerable(rows);
        var pixels = images.Fit(data).Transform(data);

        var featureType = pixels.Schema["Features"].Type.Should().BeOfType<VectorDataViewType>().Subject;
        featureType.Dimensions.Should().Equal(3, Height, Width);
        var features = pixels.GetColumn<float[]>("Features").ToArray();
        for (int y = 0; y < Height; y++)
            for (int x = 0; x < Width; x++)
            {
                features[1][(0 * Height + y) * Width + x].Should().Be(x * 10, "channel 0 is red, rows then columns");
                features[1][(1 * Height + y) * Width + x].Should().Be(y * 12, "channel 1 is green");
                features[1][(2 * Height + y) * Width + x].Should().Be(43, "channel 2 is blue");
            }

        var model = Randomised(new OctCifarResNet(8, numClasses: 3, alpha: 0.5, inChannels: 3, seed: 51), seed: 52);
        var options = Options(model, Height, Width) with { ClassNames = ["a", "b", "c"] };
        var keys = new VBuffer<ReadOnlyMemory<char>>(3, ["a".AsMemory(), "b".AsMemory(), "c".AsMemory()]);
        var chain = OnnxScoringChain.Create(ml, OnnxExport.ToOnnx(model, options), pixels.Schema, "Features", "Score", "PredictedLabel", keys);
        var scores = chain.Transform(pixels).GetColumn<float[]>("Score").ToArray();

        var raw = new Tensor(features.SelectMany(f => f).ToArray(), features.Length, 3, Height, Width);
        var engine = EngineProbabilities(model, Normalise(raw, options.Mean, options.Std));
        MaxAbsDifference(scores.SelectMany(s => s).ToArray(), engine).Should().BeLessThanOrEqualTo(1e-4f);
        ((IDisposable)chain).Dispose();
    }
}
