using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using OctaveML.Data;
using OctaveML.Models;
using OctaveML.Nn;
using OctaveML.Ops;
using OctaveML.Tensors;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace OctaveML.Training;

/// <summary>Loss and top-1 accuracy of a model over a data source.</summary>
public sealed record ValidationResult(double Loss, double Accuracy, long Images);

/// <summary>
/// The training loop, one for every backend: epochs of a session's forward/backward (softmax
/// cross-entropy with label smoothing) and an optimizer step at a scheduled learning rate; validation
/// after each epoch; early stopping with best-weights restore; progress reports; cancellation between
/// batches; a stop on a non-finite loss or weight; and checkpoints (weights and optimizer state by
/// parameter name) that make a resumed run end bit-identical to an uninterrupted one (same backend and
/// thread count) and that a session of another backend continues.
/// </summary>
/// <example>
/// <code>
/// var trainer = new Trainer(new TrainerOptions { Epochs = 20, LearningRate = 0.1, CheckpointDirectory = "runs/a" });
/// using ITrainingSession session = backend.CreateSession(spec, trainer.Options, seed: 1);
/// TrainingResult result = trainer.Fit(session, trainBatches, validationBatches, progress, token);
/// </code>
/// </example>
public sealed class Trainer
{
    private static readonly string[] OptionsNotCompared =
        [nameof(TrainerOptions.CheckpointDirectory), nameof(TrainerOptions.Resume), nameof(TrainerOptions.CheckpointEveryIterations)];

    /// <summary>A trainer for the given options (validated here).</summary>
    public Trainer(TrainerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
    }

    /// <summary>The run's options.</summary>
    public TrainerOptions Options { get; }

    /// <summary>The checkpoint file this trainer writes and resumes from, or null without a checkpoint directory.</summary>
    public string? CheckpointPath => Options.CheckpointDirectory is { } d ? Checkpoint.PathIn(d) : null;

    /// <summary>
    /// Trains the network of <paramref name="session"/> (built with these <see cref="Options"/>). With a
    /// checkpoint directory and <see cref="TrainerOptions.Resume"/>, continues from the checkpoint there,
    /// whichever backend wrote it (a finished run returns its result at once).
    /// Cancellation is checked before every batch: the run stops within one batch, writes a checkpoint at
    /// that position (when checkpointing) and throws <see cref="OperationCanceledException"/>. A non-finite
    /// loss throws <see cref="TrainingDivergedException"/> before any step is taken with it.
    /// </summary>
    public TrainingResult Fit(ITrainingSession session, IBatchSource train, IBatchSource? validation = null,
        IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(train);
        if (Options.EarlyStopping != EarlyStoppingMetric.None && validation is null)
            throw new ArgumentException($"early stopping on {Options.EarlyStopping} needs validation data.", nameof(validation));
        int batches = train.BatchesPerEpoch;
        if (batches < 1)
            throw new ArgumentException($"the training source has {batches} batches per epoch; it needs at least 1.", nameof(train));

        var run = new Run(this, session, train, validation, progress, cancellationToken);
        return run.Execute();
    }

    /// <summary>
    /// Trains <paramref name="model"/> in place on the managed engine (the process-wide thread count);
    /// see <see cref="Fit(ITrainingSession, IBatchSource, IBatchSource?, IProgress{TrainingProgress}?, CancellationToken)"/>.
    /// The model is left in eval mode.
    /// </summary>
    public TrainingResult Fit(ImageClassifier model, IBatchSource train, IBatchSource? validation = null,
        IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        using var session = ManagedBackend.Default.CreateSession(model, Options);
        try { return Fit(session, train, validation, progress, cancellationToken); }
        finally { model.Eval(); }
    }

    /// <summary>
    /// <see cref="Fit(ImageClassifier, IBatchSource, IBatchSource?, IProgress{TrainingProgress}?, CancellationToken)"/>
    /// over data loaders: the training loader's (seed, epoch) fix order and augmentation; the validation
    /// loader should neither shuffle nor augment.
    /// </summary>
    public TrainingResult Fit(ImageClassifier model, DataLoader train, DataLoader? validation = null,
        IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(train);
        return Fit(model, new DataLoaderSource(train), validation is null ? null : new DataLoaderSource(validation), progress, cancellationToken);
    }

    /// <summary>
    /// <see cref="Fit(ITrainingSession, IBatchSource, IBatchSource?, IProgress{TrainingProgress}?, CancellationToken)"/>
    /// over data loaders (the training loader's seed and epoch fix order and augmentation).
    /// </summary>
    public TrainingResult Fit(ITrainingSession session, DataLoader train, DataLoader? validation = null,
        IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(train);
        return Fit(session, new DataLoaderSource(train), validation is null ? null : new DataLoaderSource(validation), progress, cancellationToken);
    }

    /// <summary>Loss and accuracy over one pass of a data loader (see <see cref="Evaluate(ImageClassifier, IBatchSource, CancellationToken)"/>).</summary>
    public static ValidationResult Evaluate(ImageClassifier model, DataLoader data, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        return Evaluate(model, new DataLoaderSource(data), cancellationToken);
    }

    /// <summary>
    /// Mean cross-entropy (no label smoothing) and top-1 accuracy of <paramref name="model"/> over one
    /// pass of <paramref name="data"/> (epoch 0), in eval mode.
    /// </summary>
    public static ValidationResult Evaluate(ImageClassifier model, IBatchSource data, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        model.Eval();
        return Evaluate(images =>
        {
            var logits = model.Forward(images);
            if (!logits.HasShape(images.N, model.NumClasses))
                throw new InvalidOperationException($"{model.GetType().Name}.Forward returned {logits.ShapeString}; expected [{images.N}, {model.NumClasses}].");
            return logits;
        }, model.NumClasses, data, cancellationToken);
    }

    /// <summary>
    /// Mean cross-entropy (no label smoothing) and top-1 accuracy of a session's network over one pass
    /// of <paramref name="data"/> (epoch 0), in eval mode.
    /// </summary>
    public static ValidationResult Evaluate(ITrainingSession session, IBatchSource data, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(session);
        return Evaluate(session.Predict, session.NumClasses, data, cancellationToken);
    }

    private static ValidationResult Evaluate(Func<Tensor, Tensor> predict, int classes, IBatchSource data, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(data);
        double lossSum = 0; long correct = 0, seen = 0;
        foreach (var (images, labels) in data.GetEpoch(0, 0, cancellationToken))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var logits = predict(images);
            float loss = CrossEntropyKernel.ForwardBackward(labels.Length, classes, logits.Data, labels, Span<float>.Empty);
            lossSum += (double)loss * labels.Length;
            correct += TopOne.CountCorrect(logits, labels, classes);
            seen += labels.Length;
        }
        if (seen == 0) throw new ArgumentException("the evaluation source yielded no images.", nameof(data));
        return new ValidationResult(lossSum / seen, (double)correct / seen, seen);
    }

    /// <summary>One Fit call: the mutable state of the run, kept together so checkpoints capture all of it.</summary>
    private sealed class Run
    {
        private readonly Trainer _trainer;
        private readonly TrainerOptions _o;
        private readonly ITrainingSession _session;
        private readonly IBatchSource _train;
        private readonly IBatchSource? _validation;
        private readonly IProgress<TrainingProgress>? _progress;
        private readonly CancellationToken _ct;
        private readonly LearningRateSchedule _schedule;
        private readonly int _batches;

        private TrainingState _state;
        private Dictionary<string, Tensor>? _best;
        private string? _lastCheckpoint;
        private double _lastLoss = double.NaN, _lastLearningRate;
        private readonly List<EpochMetrics> _history = new();

        public Run(Trainer trainer, ITrainingSession session, IBatchSource train, IBatchSource? validation,
            IProgress<TrainingProgress>? progress, CancellationToken ct)
        {
            _trainer = trainer; _o = trainer.Options; _session = session; _train = train; _validation = validation;
            _progress = progress; _ct = ct;
            _batches = train.BatchesPerEpoch;
            _lastLearningRate = _o.LearningRate;
            _schedule = _o.CreateSchedule(_batches);
            _state = new TrainingState { BatchesPerEpoch = _batches, DataSeed = train.Seed, Options = _o };
        }

        public TrainingResult Execute()
        {
            if (_trainer.CheckpointPath is { } path && _o.Resume && File.Exists(path)) Restore(path);
            if (_state.Completed) return Result(_state.StopReason ?? StopReason.Completed);
            try
            {
                StopReason reason = StopReason.Completed;
                while (_state.Epoch < _o.Epochs)
                {
                    TrainEpoch();
                    if (EndEpoch()) { reason = StopReason.EarlyStopped; break; }
                }
                Finish(reason);
                return Result(reason);
            }
            catch (OperationCanceledException) when (_ct.IsCancellationRequested)
            {
                // Every state change happens after a whole step, so this position is consistent.
                SaveCheckpoint();
                throw;
            }
        }

        private void TrainEpoch()
        {
            int epoch = _state.Epoch;
            if (_state.Batch >= _batches) return; // cancelled after the last batch, before validation
            var clock = Stopwatch.StartNew();
            long imagesThisSession = 0; int batchesThisSession = 0;
            int b = _state.Batch; // > 0 when resuming mid-epoch
            foreach (var (images, labels) in _train.GetEpoch(epoch, b, _ct))
            {
                _ct.ThrowIfCancellationRequested();
                if (b >= _batches)
                    throw new InvalidOperationException($"the training source yielded more than its BatchesPerEpoch = {_batches} batches in epoch {epoch}.");

                int n = labels.Length;
                double lr = _schedule.LearningRate(_state.Iteration);
                BatchResult r;
                try { r = _session.ForwardBackward(images, labels); }
                catch (BatchTooSmallException e)
                {
                    throw new ArgumentException(
                        $"epoch {epoch}, batch {b}: a training batch of {n} image(s) of {images.ShapeString} leaves {_session.Spec?.DisplayName ?? "the network"} " +
                        $"with a 1x1 feature map ({e.InputShape} at a batch norm), whose variance is undefined. Use larger images, or a batch " +
                        "size that does not leave a last batch of one image (or DataLoaderOptions.DropLast).", "train", e);
                }
                float loss = r.Loss;
                if (!float.IsFinite(loss))
                    throw new TrainingDivergedException(epoch, b, _state.Iteration, loss, _lastCheckpoint);
                _lastLoss = loss;
                _session.Step(lr, _schedule.Momentum(_state.Iteration));
                _lastLearningRate = lr;

                b++;
                _state = _state with
                {
                    Batch = b,
                    Iteration = _state.Iteration + 1,
                    EpochLossSum = _state.EpochLossSum + (double)loss * n,
                    EpochCorrect = _state.EpochCorrect + r.Correct,
                    EpochSeen = _state.EpochSeen + n,
                };
                imagesThisSession += n; batchesThisSession++;
                if (_progress is not null)
                {
                    double seconds = Math.Max(clock.Elapsed.TotalSeconds, 1e-9);
                    long remaining = (long)_o.Epochs * _batches - _state.Iteration;
                    _progress.Report(new TrainingProgress
                    {
                        Kind = ProgressKind.Batch, Epoch = epoch, Epochs = _o.Epochs, Batch = b - 1, BatchesPerEpoch = _batches,
                        Iteration = _state.Iteration, BatchLoss = loss,
                        Loss = _state.EpochLossSum / _state.EpochSeen, Accuracy = (double)_state.EpochCorrect / _state.EpochSeen,
                        LearningRate = lr, ImagesPerSecond = imagesThisSession / seconds,
                        Eta = TimeSpan.FromSeconds(seconds / batchesThisSession * remaining),
                    });
                }
                if (_o.CheckpointEveryIterations > 0 && _state.Iteration % _o.CheckpointEveryIterations == 0 && b < _batches)
                    SaveCheckpoint();
            }
            if (b != _batches)
                throw new InvalidOperationException($"the training source yielded {b} batches in epoch {epoch}; its BatchesPerEpoch is {_batches}.");
        }

        /// <summary>Validates, records the epoch, tracks the best weights; true when early stopping says stop.</summary>
        private bool EndEpoch()
        {
            int epoch = _state.Epoch;
            CheckWeightsFinite();
            ValidationResult? v = _validation is null ? null : Evaluate(_session, _validation, _ct);
            var metrics = new EpochMetrics(epoch,
                _state.EpochLossSum / _state.EpochSeen, (double)_state.EpochCorrect / _state.EpochSeen,
                v?.Loss, v?.Accuracy, _lastLearningRate);
            _history.Add(metrics);

            bool stop = false;
            var next = _state with { Epoch = epoch + 1, Batch = 0, EpochLossSum = 0, EpochCorrect = 0, EpochSeen = 0 };
            if (_o.EarlyStopping != EarlyStoppingMetric.None && v is not null)
            {
                bool accuracy = _o.EarlyStopping == EarlyStoppingMetric.ValidationAccuracy;
                double value = accuracy ? v.Accuracy : v.Loss;
                bool improved = _state.BestMetric is not { } best
                    || (accuracy ? value > best + _o.MinDelta : value < best - _o.MinDelta);
                if (improved)
                {
                    _best = _session.StateDict();
                    next = next with { BestMetric = value, BestEpoch = epoch, EpochsWithoutImprovement = 0 };
                }
                else
                {
                    next = next with { EpochsWithoutImprovement = _state.EpochsWithoutImprovement + 1 };
                    stop = next.EpochsWithoutImprovement >= _o.Patience;
                }
            }
            _state = next;
            if (!stop && _state.Epoch < _o.Epochs) SaveCheckpoint(); // the final one is written by Finish
            _progress?.Report(new TrainingProgress
            {
                Kind = ProgressKind.EpochEnd, Epoch = epoch, Epochs = _o.Epochs, Batch = _batches, BatchesPerEpoch = _batches,
                Iteration = _state.Iteration, BatchLoss = metrics.TrainLoss, Loss = metrics.TrainLoss, Accuracy = metrics.TrainAccuracy,
                LearningRate = metrics.LearningRate, ImagesPerSecond = 0, Eta = TimeSpan.Zero,
                ValidationLoss = v?.Loss, ValidationAccuracy = v?.Accuracy,
            });
            return stop;
        }

        private void Finish(StopReason reason)
        {
            if (_o.RestoreBestWeights && _best is not null) _session.LoadStateDict(_best);
            _state = _state with { Completed = true, StopReason = reason };
            SaveCheckpoint();
        }

        private TrainingResult Result(StopReason reason) =>
            new(_history.ToArray(), reason, _state.Iteration, _state.BestEpoch, _state.BestMetric);

        /// <summary>Throws when a weight holds NaN or infinity (a finite loss does not prove the step was sane).</summary>
        private Dictionary<string, Tensor> CheckWeightsFinite()
        {
            var weights = _session.StateDict();
            foreach (var (name, t) in weights)
                if (!TensorPrimitives.IsFiniteAll<float>(t.Data))
                    throw new TrainingDivergedException(_state.Epoch, _state.Batch, _state.Iteration, _lastLoss, _lastCheckpoint,
                        $"'{name}' holds NaN or infinity after {_state.Iteration} steps");
            return weights;
        }

        private void SaveCheckpoint()
        {
            if (_trainer.CheckpointPath is not { } path) return;
            var weights = CheckWeightsFinite();
            var state = _state with
            {
                History = _history.ToList(),
                Optimizer = _o.Optimizer.ToString(),
                Model = _session.Spec?.DisplayName ?? "a network without a spec",
                Backend = _session.Backend,
                Threads = _session.Threads,
                SavedAtUtc = DateTime.UtcNow.ToString("O"),
            };
            new Checkpoint { State = state, Model = weights, Optimizer = _session.OptimizerStateDict(), BestModel = _best }.Save(path);
            _lastCheckpoint = path;
        }

        private void Restore(string path)
        {
            var ck = Checkpoint.Load(path);
            var s = ck.State;
            var diffs = DifferingOptions(s.Options, _o);
            if (diffs.Count > 0)
                throw new InvalidOperationException(
                    $"checkpoint {path} belongs to a run with other options ({string.Join(", ", diffs)}); " +
                    "use the same options, another CheckpointDirectory, or Resume = false to start over.");
            if (s.BatchesPerEpoch != _batches)
                throw new InvalidOperationException($"checkpoint {path} was written with {s.BatchesPerEpoch} batches per epoch; the training source has {_batches}.");
            if (s.DataSeed != _train.Seed)
                throw new InvalidOperationException($"checkpoint {path} was written with training data seed {s.DataSeed?.ToString() ?? "none"}; the training source has {_train.Seed?.ToString() ?? "none"}.");
            try
            {
                if (ck.BestModel is { } best) CheckFits(best, "best/");
                _session.LoadStateDict(ck.Model);
                _session.LoadOptimizerStateDict(ck.Optimizer);
            }
            catch (ArgumentException e)
            {
                throw new InvalidOperationException($"checkpoint {path} does not fit this model ({_session.Spec?.DisplayName ?? "a network without a spec"}) and optimizer: {e.Message}", e);
            }
            _best = ck.BestModel?.ToDictionary(x => x.Key, x => x.Value, StringComparer.Ordinal);
            _history.Clear();
            _history.AddRange(s.History);
            _state = s with { Options = _o };
            _lastCheckpoint = path;
        }

        private void CheckFits(IReadOnlyDictionary<string, Tensor> weights, string what)
        {
            var own = _session.StateDict();
            foreach (var (name, t) in own)
                if (!weights.TryGetValue(name, out var w) || w.Length != t.Length)
                    throw new ArgumentException($"the {what} weights lack '{name}' {t.ShapeString} or have another size.");
            if (weights.Count != own.Count)
                throw new ArgumentException($"the {what} weights hold {weights.Count} tensors; the model has {own.Count}.");
        }

        private static List<string> DifferingOptions(TrainerOptions saved, TrainerOptions current)
        {
            var a = JsonSerializer.SerializeToNode(saved, Checkpoint.Json)!.AsObject();
            var b = JsonSerializer.SerializeToNode(current, Checkpoint.Json)!.AsObject();
            var diffs = new List<string>();
            foreach (var (key, value) in b)
            {
                if (OptionsNotCompared.Contains(key)) continue;
                string was = a[key]?.ToJsonString() ?? "null", now = value?.ToJsonString() ?? "null";
                if (was != now) diffs.Add($"{key}: {was} then, {now} now");
            }
            return diffs;
        }
    }
}
