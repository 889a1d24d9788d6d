using OctaveML.Blas;
using OctaveML.Models;
using OctaveML.Nn;
using OctaveML.Tensors;
using OctaveML.Training;

namespace OctaveML.Tests.Training;

/// <summary>
/// A real, small classifier for the trainer tests: softmax regression on flattened pixels, with the
/// inputs centred like BatchNorm does (batch mean in training, a running-mean buffer in eval), so
/// checkpoints carry a buffer as well as parameters. The whole network is one graph node.
/// </summary>
public sealed class SoftmaxRegression : ImageClassifier, IOp
{
    private readonly int _features;
    private readonly Parameter _weight, _bias;
    private readonly Tensor _runningMean;
    private Tensor? _centred;

    public SoftmaxRegression(int channels, int height, int width, int classes, ulong seed)
    {
        InChannels = channels; NumClasses = classes;
        _features = channels * height * width;
        var w = new Tensor(classes, _features);
        new Rng(seed).FillNormal(w.Data, 0, 0.01f);
        _weight = RegisterParameter("weight", w);
        _bias = RegisterParameter("bias", new Tensor(classes));
        _runningMean = RegisterBuffer("running_mean", new Tensor(_features));
    }

    public override int InChannels { get; }
    public override int NumClasses { get; }

    public override Value Forward(Graph graph, Value images) => graph.Add(this, images, [images.N, NumClasses]);

    bool IOp.SavesInput(int input) => false;
    bool IOp.SavesOutput(int output) => false;

    void IOp.Forward(ReadOnlySpan<Tensor?> inputs, ReadOnlySpan<Tensor?> outputs)
    {
        var images = inputs[0]!;
        int n = images.N, d = _features;
        var x = images.Span;
        var centred = new Tensor(n, d);
        var mean = new float[d];
        if (Training)
        {
            for (int i = 0; i < n; i++) for (int j = 0; j < d; j++) mean[j] += x[i * d + j];
            for (int j = 0; j < d; j++)
            {
                mean[j] /= n;
                _runningMean.Data[j] = 0.9f * _runningMean.Data[j] + 0.1f * mean[j];
            }
        }
        else _runningMean.Data.CopyTo(mean, 0);
        for (int i = 0; i < n; i++) for (int j = 0; j < d; j++) centred.Data[i * d + j] = x[i * d + j] - mean[j];
        var logits = outputs[0]!.Span;
        Gemm.Sgemm(false, true, n, NumClasses, d, 1f, centred.Data, d, _weight.Value.Data, d, 0f, logits, NumClasses);
        for (int i = 0; i < n; i++) for (int k = 0; k < NumClasses; k++) logits[i * NumClasses + k] += _bias.Value.Data[k];
        _centred = centred;
    }

    /// <summary>When set, the Backward call with this 0-based index writes a NaN into the bias gradient.</summary>
    public int? PoisonGradientAtCall { get; init; }

    private int _backwardCalls;

    void IOp.Backward(ReadOnlySpan<Tensor?> inputs, ReadOnlySpan<Tensor?> outputs, ReadOnlySpan<Tensor?> gradOutputs, ReadOnlySpan<Tensor?> gradInputs)
    {
        var xc = _centred ?? throw new InvalidOperationException("Backward before Forward.");
        if (_backwardCalls++ == PoisonGradientAtCall) _bias.Grad.Data[0] = float.NaN;
        var gradLogits = gradOutputs[0]!.Span;
        int n = xc.Dim(0), d = _features, k = NumClasses;
        Gemm.Sgemm(true, false, k, d, n, 1f, gradLogits, k, xc.Data, d, 1f, _weight.Grad.Data, d);
        for (int i = 0; i < n; i++) for (int c = 0; c < k; c++) _bias.Grad.Data[c] += gradLogits[i * k + c];
    }
}

/// <summary>
/// Gaussian blobs around one random prototype per class, as 1x4x4 images: linearly separable with
/// a margin. Shuffled per epoch from (seed, epoch) only, as the trainer's resume contract asks.
/// </summary>
public sealed class BlobSource : IBatchSource
{
    private readonly float[][] _images;
    private readonly int[] _labels;
    private readonly int _batchSize;
    private readonly ulong _seed;
    private readonly bool _shuffle;

    public const int Classes = 4, C = 1, H = 4, W = 4;

    public BlobSource(int count, int batchSize, ulong seed, bool shuffle = true, int labelShift = 0, float noise = 0.6f)
    {
        _batchSize = batchSize; _seed = seed; _shuffle = shuffle;
        var protoRng = new Rng(999); // the same class prototypes for every split
        var protos = Enumerable.Range(0, Classes).Select(_ => { var p = new float[C * H * W]; protoRng.FillNormal(p, 0, 1.5f); return p; }).ToArray();
        var rng = new Rng(seed + 17);
        _images = new float[count][];
        _labels = new int[count];
        for (int i = 0; i < count; i++)
        {
            int c = i % Classes;
            var img = new float[C * H * W];
            rng.FillNormal(img, 0, noise);
            for (int j = 0; j < img.Length; j++) img[j] += protos[c][j];
            _images[i] = img;
            _labels[i] = (c + labelShift) % Classes;
        }
    }

    /// <summary>When set, the batch at (epoch, batch) gets a NaN pixel: a diverging input.</summary>
    public (int Epoch, int Batch)? PoisonAt { get; init; }

    /// <summary>Epochs started through GetEpoch (to see that finished runs do not train again).</summary>
    public int EpochsStarted { get; private set; }

    public int BatchesPerEpoch => (_labels.Length + _batchSize - 1) / _batchSize;

    public IEnumerable<(Tensor Images, int[] Labels)> GetEpoch(int epoch, int firstBatch, CancellationToken cancellationToken)
    {
        EpochsStarted++;
        int[] order = _shuffle ? Rng.Derive(_seed, (ulong)epoch).Permutation(_labels.Length) : Enumerable.Range(0, _labels.Length).ToArray();
        for (int b = firstBatch; b < BatchesPerEpoch; b++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int start = b * _batchSize, n = Math.Min(_batchSize, order.Length - start);
            var images = new Tensor(n, C, H, W);
            var labels = new int[n];
            for (int i = 0; i < n; i++)
            {
                _images[order[start + i]].CopyTo(images.Data, i * C * H * W);
                labels[i] = _labels[order[start + i]];
            }
            if (PoisonAt == (epoch, b)) images.Data[3] = float.NaN;
            yield return (images, labels);
        }
    }
}

/// <summary>A synchronous IProgress (Progress&lt;T&gt; posts to the thread pool, too late for these tests).</summary>
public sealed class Callback<T>(Action<T> action) : IProgress<T>
{
    public void Report(T value) => action(value);
}

/// <summary>A temporary folder deleted at dispose.</summary>
public sealed class TempDir : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "octaveml-training-" + Guid.NewGuid().ToString("N"));
    public TempDir() => Directory.CreateDirectory(Path);
    public string this[string name] => System.IO.Path.Combine(Path, name);
    public void Dispose() { try { Directory.Delete(Path, recursive: true); } catch (IOException) { } }
}

/// <summary>
/// A tiny CNN from the library's own layers: conv 3x3 -> BatchNorm + ReLU -> global average pool -> linear.
/// Exercises real BN buffers (running_mean, running_var, num_batches_tracked) in checkpoints.
/// </summary>
public sealed class TinyConvNet : ImageClassifier
{
    private readonly Conv2d _conv;
    private readonly BatchNorm2d _bn;
    private readonly GlobalAvgPool2d _pool = new();
    private readonly Linear _fc;

    public TinyConvNet(int channels, int classes, int seed, int width1 = 4)
    {
        InChannels = channels; NumClasses = classes;
        var random = InitGenerator(seed);
        _conv = RegisterModule("conv1", new Conv2d(channels, width1, 3, padding: 1, bias: false, random: random));
        _bn = RegisterModule("bn1", new BatchNorm2d(width1, fusedRelu: true));
        _fc = RegisterModule("fc", new Linear(width1, classes, random: random));
    }

    public override int InChannels { get; }
    public override int NumClasses { get; }

    public override Value Forward(Graph graph, Value images) =>
        _fc.Forward(graph, _pool.Forward(graph, _bn.Forward(graph, _conv.Forward(graph, images))));
}
