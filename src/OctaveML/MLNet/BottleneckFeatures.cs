using Microsoft.ML.OnnxRuntime;
using OctaveML.Data;
using OctaveML.Models;
using OctaveML.Onnx;

namespace OctaveML.MLNet;

/// <summary>
/// The frozen backbone of a network, exported to ONNX with the input normalisation folded in and run by
/// ONNX Runtime (the engine that scores the fitted model) in eval mode: the pooled features [F] of each
/// image, the classifier head's input. Head-only fine-tuning computes them once per image, as ML.NET's
/// ImageClassification trainer caches its "bottleneck" values.
/// </summary>
internal sealed class BottleneckFeatures : IDisposable
{
    private const string Input = "Features", Output = "Bottleneck";
    private const int ImagesPerRun = 64;
    private readonly InferenceSession _session;
    private readonly ImageShape _shape;

    public BottleneckFeatures(ImageClassifier model, ImageShape shape, IReadOnlyList<string> classNames, float[] mean, float[] std, int threads)
    {
        _shape = shape;
        FeatureCount = model.StateDict()[ImageClassifier.HeadName + ".weight"].Dim(1);
        byte[] onnx = OnnxExport.FeaturesToOnnx(model, new OnnxExportOptions
        {
            ClassNames = classNames, Height = shape.Height, Width = shape.Width, Mean = mean, Std = std, InputName = Input, OutputName = Output,
        });
        using var options = new SessionOptions
        {
            IntraOpNumThreads = threads, InterOpNumThreads = 1, ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        _session = new InferenceSession(onnx, options);
    }

    /// <summary>Features per image (the head's input width).</summary>
    public int FeatureCount { get; }

    /// <summary>The features and labels of every image of <paramref name="images"/>, in order.</summary>
    public BottleneckDataset Compute(IImageDataset images, CancellationToken cancellationToken)
    {
        int count = images.Count, size = _shape.Size;
        var features = new float[(long)count * FeatureCount];
        var labels = new int[count];
        var pixels = new float[Math.Min(ImagesPerRun, count) * size];
        using var runOptions = new RunOptions();
        for (int start = 0; start < count; start += ImagesPerRun)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int n = Math.Min(ImagesPerRun, count - start);
            if (pixels.Length != n * size) pixels = new float[n * size]; // the last, smaller run
            for (int i = 0; i < n; i++)
            {
                images.GetImage(start + i, pixels.AsSpan(i * size, size));
                labels[start + i] = images.GetLabel(start + i);
            }
            using var x = OrtValue.CreateTensorValueFromMemory(pixels, [n, size]);
            using var results = _session.Run(runOptions, [Input], [x], [Output]);
            var y = results[0].GetTensorDataAsSpan<float>();
            if (y.Length != n * FeatureCount)
                throw new InvalidOperationException($"the exported backbone gave {y.Length} values for {n} images; expected {n * FeatureCount}.");
            y.CopyTo(features.AsSpan(start * FeatureCount, n * FeatureCount));
        }
        return new BottleneckDataset(features, labels, FeatureCount, images.ClassNames);
    }

    public void Dispose() => _session.Dispose();
}
