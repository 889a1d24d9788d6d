namespace OctaveML.Training;

/// <summary>
/// A learning rate as a pure function of the global iteration index (0 = the first optimizer step),
/// set on the optimizer before every step. Being a function rather than a stateful stepper (as
/// torch.optim.lr_scheduler is) makes resuming from a checkpoint exact: only the index is saved.
/// </summary>
public abstract class LearningRateSchedule
{
    /// <summary>The learning rate for iteration <paramref name="iteration"/> (&gt;= 0).</summary>
    public double LearningRate(long iteration)
    {
        if (iteration < 0)
            throw new ArgumentOutOfRangeException(nameof(iteration), iteration, "iteration must be >= 0.");
        return At(iteration);
    }

    /// <summary>The rate at a validated, non-negative iteration.</summary>
    protected abstract double At(long iteration);

    /// <summary>
    /// The momentum (SGD momentum, or AdamW's beta1) for iteration <paramref name="iteration"/> when
    /// the schedule cycles it (one-cycle does by default), else null: leave the optimizer's own.
    /// </summary>
    public double? Momentum(long iteration)
    {
        if (iteration < 0)
            throw new ArgumentOutOfRangeException(nameof(iteration), iteration, "iteration must be >= 0.");
        return MomentumAt(iteration);
    }

    /// <summary>The momentum at a validated iteration, or null when not scheduled (the default).</summary>
    protected virtual double? MomentumAt(long iteration) => null;

    internal static void CheckRate(double value, string name)
    {
        if (!(value >= 0) || double.IsInfinity(value))
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be a finite value >= 0.");
    }

    internal static void CheckPositive(long value, string name)
    {
        if (value <= 0) throw new ArgumentOutOfRangeException(name, value, $"{name} must be positive.");
    }
}

/// <summary>The same rate at every iteration.</summary>
public sealed class ConstantSchedule : LearningRateSchedule
{
    /// <summary>A constant <paramref name="learningRate"/>.</summary>
    public ConstantSchedule(double learningRate)
    {
        CheckRate(learningRate, nameof(learningRate));
        Rate = learningRate;
    }

    /// <summary>The rate.</summary>
    public double Rate { get; }

    /// <inheritdoc/>
    protected override double At(long iteration) => Rate;
}
