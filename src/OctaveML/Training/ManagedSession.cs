using OctaveML.Nn;
using OctaveML.Ops;
using OctaveML.Threading;
using OctaveML.Models;
using OctaveML.Tensors;

namespace OctaveML.Training;

/// <summary>
/// A <see cref="ManagedBackend"/> session: an <see cref="ImageClassifier"/> trained in place by the
/// engine's <see cref="Sgd"/> or <see cref="AdamW"/>, its kernels run with the session's thread count.
/// Fine-tuning options (<see cref="TrainerOptions.BackboneLearningRateFactor"/>,
/// <see cref="TrainerOptions.FreezeBatchNormStatistics"/>) shape the optimizer and the batch norms' mode.
/// </summary>
public sealed class ManagedSession : ITrainingSession
{
    private readonly int? _threads;
    private readonly float _labelSmoothing;
    private readonly BatchNorm2d[] _frozenBatchNorms;
    private float[] _gradLogits = [];

    internal ManagedSession(ImageClassifier model, TrainerOptions options, int? threads)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Model = model;
        Optimizer = options.CreateOptimizer(model);
        _threads = threads;
        _labelSmoothing = options.LabelSmoothing;
        _frozenBatchNorms = options.FreezeBatchNormStatistics
            ? model.NamedModules().Select(m => m.Module).OfType<BatchNorm2d>().ToArray() : [];
    }

    /// <summary>The network being trained (its weights are the session's).</summary>
    public ImageClassifier Model { get; }

    /// <summary>The optimizer over <see cref="Model"/>'s parameters.</summary>
    public Optimizer Optimizer { get; }

    /// <inheritdoc/>
    public ModelSpec? Spec => Model.Spec;

    /// <inheritdoc/>
    public int NumClasses => Model.NumClasses;

    /// <inheritdoc/>
    public string Backend => "managed";

    /// <inheritdoc/>
    public int Threads => _threads ?? Parallelism.Threads;

    /// <inheritdoc/>
    public string Description => $"managed engine, {Threads} threads";

    /// <inheritdoc/>
    public BatchResult ForwardBackward(Tensor images, int[] labels)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(labels);
        using var scope = Parallelism.UseThreads(Threads);
        Model.Train();
        foreach (var bn in _frozenBatchNorms) bn.Eval(); // running statistics: used, not updated
        Model.ZeroGrad(); // frozen parameters too, so that Gradients() shows this batch's
        var logits = Model.Forward(images);
        int n = labels.Length, classes = Model.NumClasses;
        CheckLogits(logits, n);
        if (_gradLogits.Length != n * classes) _gradLogits = new float[n * classes];
        float loss = CrossEntropyKernel.ForwardBackward(n, classes, logits.Data, labels, _gradLogits, labelSmoothing: _labelSmoothing);
        int correct = TopOne.CountCorrect(logits, labels, classes);
        Model.Backward(new Tensor(_gradLogits, n, classes));
        return new BatchResult(loss, correct);
    }

    /// <inheritdoc/>
    public void Step(double learningRate, double? momentum = null)
    {
        using var scope = Parallelism.UseThreads(Threads);
        Optimizer.Step(learningRate, momentum);
    }

    /// <inheritdoc/>
    public Tensor Predict(Tensor images)
    {
        ArgumentNullException.ThrowIfNull(images);
        using var scope = Parallelism.UseThreads(Threads);
        Model.Eval();
        var logits = Model.Forward(images);
        CheckLogits(logits, images.N);
        return logits;
    }

    /// <inheritdoc/>
    public Dictionary<string, Tensor> StateDict() =>
        Model.StateDict().ToDictionary(x => x.Key, x => x.Value.Clone(), StringComparer.Ordinal);

    /// <inheritdoc/>
    public void LoadStateDict(IReadOnlyDictionary<string, Tensor> state) => Model.LoadStateDict(state);

    /// <inheritdoc/>
    public Dictionary<string, Tensor> OptimizerStateDict() => Optimizer.StateDict();

    /// <inheritdoc/>
    public void LoadOptimizerStateDict(IReadOnlyDictionary<string, Tensor> state) => Optimizer.LoadState(state);

    /// <inheritdoc/>
    public Dictionary<string, Tensor> Gradients() =>
        Model.NamedParameters().ToDictionary(x => x.Name, x => x.Parameter.Grad.Clone(), StringComparer.Ordinal);

    /// <summary>Nothing to release: the model belongs to whoever built it.</summary>
    public void Dispose() { }

    private void CheckLogits(Tensor logits, int n)
    {
        if (!logits.HasShape(n, Model.NumClasses))
            throw new InvalidOperationException($"{Model.GetType().Name}.Forward returned {logits.ShapeString}; expected [{n}, {Model.NumClasses}].");
    }
}
