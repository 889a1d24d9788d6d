using OctaveML.Models;
using OctaveML.Nn;
using OctaveML.Ops;
using OctaveML.Tensors;
using OctaveML.Threading;
using OctaveML.Training;

namespace OctaveML.MLNet;

/// <summary>
/// Head-only fine-tuning as a training session: the classifier head (<see cref="ImageClassifier.HeadName"/>,
/// logits = features W^T + b) trained on the backbone's pooled features, which the batches carry as
/// [N, F, 1, 1] (<see cref="BottleneckFeatures"/>), by the engine's kernels and optimizer. Its state dict is
/// the head's ("fc.weight", "fc.bias"), so the <see cref="Trainer"/>'s checkpoints, early stopping and
/// best-weights restore work on it as on a whole network.
/// </summary>
internal sealed class HeadSession : ITrainingSession
{
    private static readonly string WeightName = ImageClassifier.HeadName + ".weight", BiasName = ImageClassifier.HeadName + ".bias";
    private readonly Parameter _weight, _bias;
    private readonly Optimizer _optimizer;
    private readonly int _threads;
    private readonly float _labelSmoothing;
    private readonly int _features;
    private float[] _gradLogits = [];

    /// <summary>A session starting from <paramref name="model"/>'s head (copied), trained with <paramref name="options"/>' optimizer.</summary>
    public HeadSession(ImageClassifier model, TrainerOptions options, int threads)
    {
        options.Validate();
        var state = model.StateDict();
        if (!state.TryGetValue(WeightName, out var w) || w.Rank != 2 || !state.TryGetValue(BiasName, out var b) || b.Rank != 1 || b.Dim(0) != w.Dim(0))
            throw new ArgumentException($"{model.GetType().Name} has no classifier head '{ImageClassifier.HeadName}' (a weight [classes, features] and a bias [classes]).", nameof(model));
        _weight = new Parameter(w.Clone());
        _bias = new Parameter(b.Clone());
        NumClasses = w.Dim(0);
        _features = w.Dim(1);
        _optimizer = options.CreateOptimizer([(WeightName, _weight), (BiasName, _bias)]);
        _threads = threads;
        _labelSmoothing = options.LabelSmoothing;
    }

    public ModelSpec? Spec => null;

    public int NumClasses { get; }

    public string Backend => "managed";

    public string Description => $"head only: backbone features by ONNX Runtime, the classifier head ({NumClasses} x {_features}) on the managed engine, {Threads} threads";

    public int Threads => _threads;

    public BatchResult ForwardBackward(Tensor images, int[] labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        int n = CheckFeatures(images);
        if (labels.Length != n) throw new ArgumentException($"labels has {labels.Length} elements; expected {n} (one per image).", nameof(labels));
        using var scope = Parallelism.UseThreads(_threads);
        _optimizer.ZeroGrad();
        var logits = Logits(images, n);
        if (_gradLogits.Length != n * NumClasses) _gradLogits = new float[n * NumClasses];
        float loss = CrossEntropyKernel.ForwardBackward(n, NumClasses, logits.Data, labels, _gradLogits, labelSmoothing: _labelSmoothing);
        LinearKernel.Backward(n, _features, NumClasses, images.Span, _weight.Value.Data, _gradLogits, default, _weight.Grad.Data, _bias.Grad.Data);
        return new BatchResult(loss, TopOne.CountCorrect(logits, labels, NumClasses));
    }

    public void Step(double learningRate, double? momentum = null)
    {
        using var scope = Parallelism.UseThreads(_threads);
        _optimizer.Step(learningRate, momentum);
    }

    public Tensor Predict(Tensor images)
    {
        int n = CheckFeatures(images);
        using var scope = Parallelism.UseThreads(_threads);
        return Logits(images, n);
    }

    public Dictionary<string, Tensor> StateDict() => new(StringComparer.Ordinal)
    {
        [WeightName] = _weight.Value.Clone(),
        [BiasName] = _bias.Value.Clone(),
    };

    public void LoadStateDict(IReadOnlyDictionary<string, Tensor> state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var unexpected = state.Keys.Where(k => k != WeightName && k != BiasName).ToList();
        if (unexpected.Count > 0 || !state.ContainsKey(WeightName) || !state.ContainsKey(BiasName))
            throw new ArgumentException(
                $"a head-only state dict holds exactly '{WeightName}' and '{BiasName}'; this one has [{string.Join(", ", state.Keys.Take(10))}].", nameof(state));
        foreach (var (name, target) in new[] { (WeightName, _weight.Value), (BiasName, _bias.Value) })
        {
            if (!state[name].SameShape(target))
                throw new ArgumentException($"'{name}' has shape {state[name].ShapeString}, the head expects {target.ShapeString}.", nameof(state));
            state[name].Data.AsSpan().CopyTo(target.Data);
        }
    }

    public Dictionary<string, Tensor> OptimizerStateDict() => _optimizer.StateDict();

    public void LoadOptimizerStateDict(IReadOnlyDictionary<string, Tensor> state) => _optimizer.LoadState(state);

    public Dictionary<string, Tensor> Gradients() => new(StringComparer.Ordinal)
    {
        [WeightName] = _weight.Grad.Clone(),
        [BiasName] = _bias.Grad.Clone(),
    };

    /// <summary>Nothing to release.</summary>
    public void Dispose() { }

    private Tensor Logits(Tensor features, int n)
    {
        var logits = new Tensor(n, NumClasses);
        LinearKernel.Forward(n, _features, NumClasses, features.Span, _weight.Value.Data, _bias.Value.Data, logits.Data);
        return logits;
    }

    private int CheckFeatures(Tensor features)
    {
        ArgumentNullException.ThrowIfNull(features);
        if (features.Rank != 4 || features.C != _features || features.H != 1 || features.W != 1 || features.N < 1)
            throw new ArgumentException($"features have shape {features.ShapeString}; the head reads [N, {_features}, 1, 1].", nameof(features));
        return features.N;
    }
}
