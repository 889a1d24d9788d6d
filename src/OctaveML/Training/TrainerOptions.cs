namespace OctaveML.Training;

/// <summary>Which optimizer the <see cref="Trainer"/> builds.</summary>
public enum OptimizerKind
{
    /// <summary><see cref="Training.Sgd"/> (momentum, Nesterov, L2 weight decay).</summary>
    Sgd,
    /// <summary><see cref="Training.AdamW"/> (decoupled weight decay).</summary>
    AdamW,
}

/// <summary>Which learning-rate schedule the <see cref="Trainer"/> builds (stepped every iteration).</summary>
public enum ScheduleKind
{
    /// <summary><see cref="ConstantSchedule"/> at <see cref="TrainerOptions.LearningRate"/>.</summary>
    Constant,
    /// <summary><see cref="StepSchedule"/>: times <see cref="TrainerOptions.Gamma"/> every <see cref="TrainerOptions.StepSizeEpochs"/> epochs.</summary>
    Step,
    /// <summary><see cref="CosineSchedule"/> over the whole run, after <see cref="TrainerOptions.WarmupEpochs"/> of linear warm-up.</summary>
    Cosine,
    /// <summary><see cref="OneCycleSchedule"/> over the whole run, peaking at <see cref="TrainerOptions.LearningRate"/>.</summary>
    OneCycle,
}

/// <summary>The validation metric early stopping watches.</summary>
public enum EarlyStoppingMetric
{
    /// <summary>No early stopping (and no best-weights tracking).</summary>
    None,
    /// <summary>Stop when validation accuracy has not risen by more than MinDelta for Patience epochs.</summary>
    ValidationAccuracy,
    /// <summary>Stop when validation loss has not fallen by more than MinDelta for Patience epochs.</summary>
    ValidationLoss,
}

/// <summary>
/// Everything that defines a training run (saved in every checkpoint, and compared on resume).
/// Defaults are the usual ResNet recipe: SGD, momentum 0.9, weight decay 5e-4, cosine schedule.
/// </summary>
public sealed record TrainerOptions
{
    /// <summary>Passes over the training data (default 10).</summary>
    public int Epochs { get; init; } = 10;

    /// <summary>The optimizer (default SGD).</summary>
    public OptimizerKind Optimizer { get; init; } = OptimizerKind.Sgd;

    /// <summary>The base (peak, for cosine and one-cycle) learning rate (default 0.1).</summary>
    public double LearningRate { get; init; } = 0.1;

    /// <summary>SGD momentum (default 0.9).</summary>
    public double Momentum { get; init; } = 0.9;

    /// <summary>SGD Nesterov momentum (default false).</summary>
    public bool Nesterov { get; init; }

    /// <summary>Weight decay: L2 for SGD, decoupled for AdamW (default 5e-4).</summary>
    public double WeightDecay { get; init; } = 5e-4;

    /// <summary>No weight decay on rank-1 parameters (biases, BatchNorm); default false, as PyTorch.</summary>
    public bool NoWeightDecayOnBiasAndNorm { get; init; }

    /// <summary>AdamW beta1 (default 0.9).</summary>
    public double Beta1 { get; init; } = 0.9;

    /// <summary>AdamW beta2 (default 0.999).</summary>
    public double Beta2 { get; init; } = 0.999;

    /// <summary>AdamW epsilon (default 1e-8).</summary>
    public double Epsilon { get; init; } = 1e-8;

    /// <summary>The learning-rate schedule (default cosine).</summary>
    public ScheduleKind Schedule { get; init; } = ScheduleKind.Cosine;

    /// <summary>Cosine: epochs of linear warm-up (fractions allowed; default 0).</summary>
    public double WarmupEpochs { get; init; }

    /// <summary>Cosine: the warm-up starts at LearningRate times this (default 0.01).</summary>
    public double WarmupStartFactor { get; init; } = 0.01;

    /// <summary>Cosine: the final learning rate (default 0).</summary>
    public double MinLearningRate { get; init; }

    /// <summary>Step: epochs between decays (default 30).</summary>
    public int StepSizeEpochs { get; init; } = 30;

    /// <summary>Step: the decay factor (default 0.1).</summary>
    public double Gamma { get; init; } = 0.1;

    /// <summary>One-cycle: share of the run spent warming up (default 0.3).</summary>
    public double PctStart { get; init; } = 0.3;

    /// <summary>One-cycle: initial rate = LearningRate / DivFactor (default 25).</summary>
    public double DivFactor { get; init; } = 25;

    /// <summary>One-cycle: final rate = initial rate / FinalDivFactor (default 1e4).</summary>
    public double FinalDivFactor { get; init; } = 1e4;

    /// <summary>One-cycle: cycle the momentum (SGD momentum or AdamW beta1) against the rate, as torch does by default (default true).</summary>
    public bool CycleMomentum { get; init; } = true;

    /// <summary>One-cycle: the momentum at the peak rate (default 0.85).</summary>
    public double BaseMomentum { get; init; } = 0.85;

    /// <summary>One-cycle: the momentum at the start and end (default 0.95).</summary>
    public double MaxMomentum { get; init; } = 0.95;

    /// <summary>
    /// Fine-tuning: the learning rate of every parameter outside the classifier head
    /// (<see cref="Models.ImageClassifier.HeadName"/>, "fc") is <see cref="LearningRate"/> times this factor, as a
    /// torch.optim param group with its own lr (weight decay scales with it). 0 freezes them: they are left
    /// out of the optimizer and never change (the head alone learns; the engine still runs the whole backward,
    /// libtorch skips it). Default 1: every parameter at the full rate.
    /// </summary>
    public double BackboneLearningRateFactor { get; init; } = 1;

    /// <summary>
    /// Fine-tuning: every batch norm runs in eval mode while the network trains (PyTorch's <c>bn.eval()</c> after
    /// <c>model.train()</c>), normalising with its running mean and variance and leaving them unchanged; its scale
    /// and shift still learn (unless the backbone is frozen). Default false: batch statistics, running ones updated.
    /// </summary>
    public bool FreezeBatchNormStatistics { get; init; }

    /// <summary>Label smoothing of the training loss, in [0, 1) (default 0; validation loss never smooths).</summary>
    public float LabelSmoothing { get; init; }

    /// <summary>The validation metric for early stopping (default none).</summary>
    public EarlyStoppingMetric EarlyStopping { get; init; } = EarlyStoppingMetric.None;

    /// <summary>Epochs without improvement before stopping (default 5).</summary>
    public int Patience { get; init; } = 5;

    /// <summary>The smallest change that counts as an improvement (default 0).</summary>
    public double MinDelta { get; init; }

    /// <summary>With early stopping, end with the best epoch's weights (default true).</summary>
    public bool RestoreBestWeights { get; init; } = true;

    /// <summary>Where checkpoints go (one file, checkpoint.safetensors, replaced atomically); null = none.</summary>
    public string? CheckpointDirectory { get; init; }

    /// <summary>Also checkpoint every this many iterations (0 = only at the end of each epoch).</summary>
    public int CheckpointEveryIterations { get; init; }

    /// <summary>Continue from the checkpoint in <see cref="CheckpointDirectory"/> when there is one (default true).</summary>
    public bool Resume { get; init; } = true;

    /// <summary>Checks every value; throws ArgumentException naming the option and the valid range.</summary>
    public void Validate()
    {
        static void Check(bool ok, string name, object value, string expected)
        {
            if (!ok) throw new ArgumentOutOfRangeException(name, value, $"TrainerOptions.{name} must be {expected}.");
        }
        static bool Finite(double x) => double.IsFinite(x);
        Check(Epochs >= 1, nameof(Epochs), Epochs, "at least 1");
        Check(Finite(LearningRate) && LearningRate >= 0, nameof(LearningRate), LearningRate, "a finite value >= 0");
        Check(Finite(Momentum) && Momentum >= 0, nameof(Momentum), Momentum, "a finite value >= 0");
        Check(!Nesterov || Momentum > 0, nameof(Nesterov), Nesterov, "false unless Momentum > 0");
        Check(Finite(WeightDecay) && WeightDecay >= 0, nameof(WeightDecay), WeightDecay, "a finite value >= 0");
        Check(Beta1 is >= 0 and < 1, nameof(Beta1), Beta1, "in [0, 1)");
        Check(Beta2 is >= 0 and < 1, nameof(Beta2), Beta2, "in [0, 1)");
        Check(Finite(Epsilon) && Epsilon >= 0, nameof(Epsilon), Epsilon, "a finite value >= 0");
        Check(Finite(WarmupEpochs) && WarmupEpochs >= 0 && WarmupEpochs < Epochs, nameof(WarmupEpochs), WarmupEpochs, $"in [0, Epochs = {Epochs})");
        Check(WarmupStartFactor is > 0 and <= 1, nameof(WarmupStartFactor), WarmupStartFactor, "in (0, 1]");
        Check(Finite(MinLearningRate) && MinLearningRate >= 0, nameof(MinLearningRate), MinLearningRate, "a finite value >= 0");
        Check(StepSizeEpochs >= 1, nameof(StepSizeEpochs), StepSizeEpochs, "at least 1");
        Check(Finite(Gamma) && Gamma >= 0, nameof(Gamma), Gamma, "a finite value >= 0");
        Check(PctStart is > 0 and < 1, nameof(PctStart), PctStart, "in (0, 1)");
        Check(Finite(DivFactor) && DivFactor > 0, nameof(DivFactor), DivFactor, "a finite value > 0");
        Check(Finite(FinalDivFactor) && FinalDivFactor > 0, nameof(FinalDivFactor), FinalDivFactor, "a finite value > 0");
        Check(BaseMomentum >= 0 && BaseMomentum <= MaxMomentum, nameof(BaseMomentum), BaseMomentum, $"in [0, MaxMomentum = {MaxMomentum}]");
        Check(MaxMomentum is >= 0 and < 1, nameof(MaxMomentum), MaxMomentum, "in [0, 1)");
        Check(LabelSmoothing is >= 0 and < 1, nameof(LabelSmoothing), LabelSmoothing, "in [0, 1)");
        Check(BackboneLearningRateFactor is >= 0 and <= 1, nameof(BackboneLearningRateFactor), BackboneLearningRateFactor, "in [0, 1] (0 freezes the backbone)");
        Check(Patience >= 1, nameof(Patience), Patience, "at least 1");
        Check(Finite(MinDelta) && MinDelta >= 0, nameof(MinDelta), MinDelta, "a finite value >= 0");
        Check(CheckpointEveryIterations >= 0, nameof(CheckpointEveryIterations), CheckpointEveryIterations, ">= 0");
        Check(CheckpointEveryIterations == 0 || CheckpointDirectory is not null, nameof(CheckpointEveryIterations), CheckpointEveryIterations, "0 when CheckpointDirectory is null");
    }

    /// <summary>
    /// The optimizer these options describe, over <paramref name="model"/>'s parameters: those outside the head
    /// (<see cref="IsHead"/>) at <see cref="BackboneLearningRateFactor"/> times the rate, or left out when it is 0.
    /// </summary>
    public Optimizer CreateOptimizer(Nn.Module model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var parameters = model.NamedParameters().Where(x => BackboneLearningRateFactor > 0 || IsHead(x.Name)).ToList();
        if (parameters.Count == 0)
            throw new ArgumentException($"{model.GetType().Name} has no parameters under '{Models.ImageClassifier.HeadName}.' to train with BackboneLearningRateFactor = 0.", nameof(model));
        var optimizer = CreateOptimizer(parameters);
        if (BackboneLearningRateFactor != 1)
            foreach (var (name, _) in parameters.Where(x => !IsHead(x.Name)))
                optimizer.SetLearningRateFactor(name, BackboneLearningRateFactor);
        return optimizer;
    }

    /// <summary>The optimizer these options describe, over exactly <paramref name="parameters"/> at the full rate.</summary>
    public Optimizer CreateOptimizer(IEnumerable<(string Name, Nn.Parameter Parameter)> parameters) => Optimizer switch
    {
        OptimizerKind.Sgd => new Sgd(parameters, LearningRate, Momentum, 0, WeightDecay, Nesterov, NoWeightDecayOnBiasAndNorm),
        OptimizerKind.AdamW => new AdamW(parameters, LearningRate, Beta1, Beta2, Epsilon, WeightDecay, NoWeightDecayOnBiasAndNorm),
        _ => throw new ArgumentOutOfRangeException(nameof(Optimizer), Optimizer, "unknown optimizer kind."),
    };

    /// <summary>True for a parameter or buffer of the classifier head (<see cref="Models.ImageClassifier.HeadName"/>): "fc.weight", "fc.bias".</summary>
    public static bool IsHead(string name) =>
        (name ?? throw new ArgumentNullException(nameof(name))).StartsWith(Models.ImageClassifier.HeadName + ".", StringComparison.Ordinal);

    /// <summary>The schedule these options describe, for <paramref name="iterationsPerEpoch"/> iterations per epoch.</summary>
    public LearningRateSchedule CreateSchedule(int iterationsPerEpoch)
    {
        LearningRateSchedule.CheckPositive(iterationsPerEpoch, nameof(iterationsPerEpoch));
        long total = (long)Epochs * iterationsPerEpoch;
        return Schedule switch
        {
            ScheduleKind.Constant => new ConstantSchedule(LearningRate),
            ScheduleKind.Step => StepSchedule.ByEpochs(LearningRate, StepSizeEpochs, Gamma, iterationsPerEpoch),
            ScheduleKind.Cosine => new CosineSchedule(LearningRate, total, (long)Math.Round(WarmupEpochs * iterationsPerEpoch), WarmupStartFactor, MinLearningRate),
            ScheduleKind.OneCycle => new OneCycleSchedule(LearningRate, total, PctStart, DivFactor, FinalDivFactor, CycleMomentum, BaseMomentum, MaxMomentum),
            _ => throw new ArgumentOutOfRangeException(nameof(Schedule), Schedule, "unknown schedule kind."),
        };
    }
}
