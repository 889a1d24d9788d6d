using OctaveML.Nn;
using OctaveML.Ops;
using OctaveML.Tensors;

namespace OctaveML.Training;

/// <summary>
/// Adam with decoupled weight decay, exactly torch.optim.AdamW's (1.13, amsgrad off) update:
/// step += 1; p *= 1 - lr * weight_decay; m = b1*m + (1-b1)*g; v = b2*v + (1-b2)*g²;
/// p -= lr / (1 - b1^step) * m / (sqrt(v) / sqrt(1 - b2^step) + eps).
/// State per parameter: "&lt;name&gt;.exp_avg", ".exp_avg_sq" and ".step" (a one-element tensor).
/// </summary>
public sealed class AdamW : Optimizer
{
    private static readonly string[] StateNames = ["exp_avg", "exp_avg_sq", "step"];
    private readonly Tensor?[] _expAvg, _expAvgSq;
    private readonly long[] _steps;

    /// <summary>AdamW over all of <paramref name="module"/>'s parameters.</summary>
    public AdamW(Module module, double learningRate = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8,
        double weightDecay = 1e-2, bool noWeightDecayOnBiasAndNorm = false)
        : this((module ?? throw new ArgumentNullException(nameof(module))).NamedParameters(),
            learningRate, beta1, beta2, epsilon, weightDecay, noWeightDecayOnBiasAndNorm) { }

    /// <summary>AdamW over the given named parameters (torch.optim.AdamW's arguments and defaults).</summary>
    public AdamW(IEnumerable<(string Name, Parameter Parameter)> parameters, double learningRate = 1e-3, double beta1 = 0.9, double beta2 = 0.999,
        double epsilon = 1e-8, double weightDecay = 1e-2, bool noWeightDecayOnBiasAndNorm = false)
        : base(parameters, learningRate, weightDecay, noWeightDecayOnBiasAndNorm)
    {
        if (!(beta1 >= 0 && beta1 < 1)) throw new ArgumentOutOfRangeException(nameof(beta1), beta1, "beta1 must be in [0, 1).");
        if (!(beta2 >= 0 && beta2 < 1)) throw new ArgumentOutOfRangeException(nameof(beta2), beta2, "beta2 must be in [0, 1).");
        if (!(epsilon >= 0) || double.IsInfinity(epsilon)) throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "epsilon must be a finite value >= 0.");
        _beta1 = beta1; Beta2 = beta2; Epsilon = epsilon;
        _expAvg = new Tensor?[Parameters.Count];
        _expAvgSq = new Tensor?[Parameters.Count];
        _steps = new long[Parameters.Count];
    }

    /// <summary>Decay of the first moment; settable so a schedule can cycle it (one-cycle does).</summary>
    public double Beta1
    {
        get => _beta1;
        set
        {
            if (!(value >= 0 && value < 1)) throw new ArgumentOutOfRangeException(nameof(value), value, "Beta1 must be in [0, 1).");
            _beta1 = value;
        }
    }

    /// <inheritdoc/>
    protected override double CycledMomentum { set => Beta1 = value; }

    private double _beta1;

    /// <summary>Decay of the second moment.</summary>
    public double Beta2 { get; }

    /// <summary>Added to the denominator for numerical stability.</summary>
    public double Epsilon { get; }

    /// <inheritdoc/>
    public override void Step()
    {
        for (int i = 0; i < Parameters.Count; i++)
        {
            var p = Parameters[i].Parameter;
            var m = _expAvg[i] ??= Tensor.ZerosLike(p.Value);
            var v = _expAvgSq[i] ??= Tensor.ZerosLike(p.Value);
            long step = ++_steps[i];
            OptimizerKernels.AdamWStep(p.Value.Data, p.Grad.Data, m.Data, v.Data, LearningRateOf(i), Beta1, Beta2, Epsilon,
                WeightDecayOf(i), 1 - Math.Pow(Beta1, step), 1 - Math.Pow(Beta2, step));
        }
    }

    /// <inheritdoc/>
    protected override void CollectState(Action<string, Tensor> add)
    {
        for (int i = 0; i < Parameters.Count; i++)
        {
            if (_steps[i] == 0) continue;
            if (_steps[i] > 1 << 24)
                throw new InvalidOperationException($"parameter '{Parameters[i].Name}' has taken {_steps[i]} steps, more than a float32 step counter holds exactly.");
            string n = Parameters[i].Name;
            add(n + ".exp_avg", _expAvg[i]!);
            add(n + ".exp_avg_sq", _expAvgSq[i]!);
            add(n + ".step", new Tensor([(float)_steps[i]], 1));
        }
    }

    /// <inheritdoc/>
    public override void LoadState(IReadOnlyDictionary<string, Tensor> state)
    {
        ArgumentNullException.ThrowIfNull(state);
        int n = Parameters.Count;
        var m = new Tensor?[n]; var v = new Tensor?[n]; var steps = new long[n];
        foreach (var (key, value) in state)
        {
            var (i, name) = ParseKey(key, StateNames);
            var like = Parameters[i].Parameter.Value;
            switch (name)
            {
                case "exp_avg": m[i] = new Tensor((float[])CheckLength(key, value, like.Length).Data.Clone(), like.ShapeArray()); break;
                case "exp_avg_sq": v[i] = new Tensor((float[])CheckLength(key, value, like.Length).Data.Clone(), like.ShapeArray()); break;
                default:
                    float s = CheckLength(key, value, 1).Data[0];
                    if (!(s >= 1) || s != MathF.Floor(s))
                        throw new ArgumentException($"optimizer state '{key}' is {s}, expected a whole step count >= 1.", nameof(state));
                    steps[i] = (long)s;
                    break;
            }
        }
        for (int i = 0; i < n; i++)
        {
            bool any = m[i] is not null || v[i] is not null || steps[i] != 0;
            bool all = m[i] is not null && v[i] is not null && steps[i] != 0;
            if (any && !all)
                throw new ArgumentException($"optimizer state for '{Parameters[i].Name}' is incomplete: exp_avg, exp_avg_sq and step must all be present.", nameof(state));
        }
        Array.Copy(m, _expAvg, n); Array.Copy(v, _expAvgSq, n); Array.Copy(steps, _steps, n);
    }
}
