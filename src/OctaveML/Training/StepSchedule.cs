namespace OctaveML.Training;

/// <summary>
/// torch.optim.lr_scheduler.StepLR: base * gamma^floor(iteration / stepSize). Use
/// <see cref="ByEpochs"/> for the usual "decay every N epochs" stepped once per iteration.
/// </summary>
public sealed class StepSchedule : LearningRateSchedule
{
    /// <summary>Multiplies <paramref name="baseLearningRate"/> by <paramref name="gamma"/> every <paramref name="stepSize"/> iterations.</summary>
    public StepSchedule(double baseLearningRate, long stepSize, double gamma = 0.1)
    {
        CheckRate(baseLearningRate, nameof(baseLearningRate));
        CheckPositive(stepSize, nameof(stepSize));
        CheckRate(gamma, nameof(gamma));
        BaseLearningRate = baseLearningRate; StepSize = stepSize; Gamma = gamma;
    }

    /// <summary>Decays every <paramref name="stepEpochs"/> epochs of <paramref name="iterationsPerEpoch"/> iterations.</summary>
    public static StepSchedule ByEpochs(double baseLearningRate, int stepEpochs, double gamma, int iterationsPerEpoch)
    {
        CheckPositive(stepEpochs, nameof(stepEpochs));
        CheckPositive(iterationsPerEpoch, nameof(iterationsPerEpoch));
        return new StepSchedule(baseLearningRate, (long)stepEpochs * iterationsPerEpoch, gamma);
    }

    /// <summary>The rate before the first decay.</summary>
    public double BaseLearningRate { get; }

    /// <summary>Iterations between decays.</summary>
    public long StepSize { get; }

    /// <summary>The decay factor.</summary>
    public double Gamma { get; }

    /// <inheritdoc/>
    protected override double At(long iteration) => BaseLearningRate * Math.Pow(Gamma, iteration / StepSize);
}
