using OctaveML.Nn;
using OctaveML.Ops;
using OctaveML.Tensors;

namespace OctaveML.Training;

/// <summary>
/// Stochastic gradient descent with momentum, exactly torch.optim.SGD's update:
/// d = g + weight_decay * p; with momentum, buf = d at a parameter's first step, afterwards
/// buf = momentum * buf + (1 - dampening) * d; d = buf (or d + momentum * buf with Nesterov);
/// p -= lr * d. State: "&lt;name&gt;.momentum_buffer" per parameter once it has stepped.
/// </summary>
public sealed class Sgd : Optimizer
{
    private readonly Tensor?[] _buffers;

    /// <summary>SGD over all of <paramref name="module"/>'s parameters.</summary>
    public Sgd(Module module, double learningRate, double momentum = 0, double dampening = 0, double weightDecay = 0,
        bool nesterov = false, bool noWeightDecayOnBiasAndNorm = false)
        : this((module ?? throw new ArgumentNullException(nameof(module))).NamedParameters(),
            learningRate, momentum, dampening, weightDecay, nesterov, noWeightDecayOnBiasAndNorm) { }

    /// <summary>SGD over the given named parameters (torch.optim.SGD's arguments and defaults).</summary>
    public Sgd(IEnumerable<(string Name, Parameter Parameter)> parameters, double learningRate, double momentum = 0, double dampening = 0,
        double weightDecay = 0, bool nesterov = false, bool noWeightDecayOnBiasAndNorm = false)
        : base(parameters, learningRate, weightDecay, noWeightDecayOnBiasAndNorm)
    {
        if (!(momentum >= 0) || double.IsInfinity(momentum))
            throw new ArgumentOutOfRangeException(nameof(momentum), momentum, "momentum must be a finite value >= 0.");
        if (!(dampening >= 0 && dampening <= 1))
            throw new ArgumentOutOfRangeException(nameof(dampening), dampening, "dampening must be in [0, 1].");
        if (nesterov && (momentum <= 0 || dampening != 0))
            throw new ArgumentException($"nesterov needs momentum > 0 and dampening = 0 (got momentum {momentum}, dampening {dampening}).", nameof(nesterov));
        _momentum = momentum;
        Dampening = dampening;
        Nesterov = nesterov;
        _buffers = new Tensor?[Parameters.Count];
    }

    /// <summary>
    /// The momentum factor (0 = plain SGD); settable so a schedule can cycle it (a buffer starts at the
    /// first step taken with momentum, as in PyTorch).
    /// </summary>
    public double Momentum
    {
        get => _momentum;
        set
        {
            if (!(value >= 0) || double.IsInfinity(value))
                throw new ArgumentOutOfRangeException(nameof(value), value, "Momentum must be a finite value >= 0.");
            if (Nesterov && value <= 0)
                throw new ArgumentOutOfRangeException(nameof(value), value, "Momentum must stay > 0 with Nesterov.");
            _momentum = value;
        }
    }

    /// <inheritdoc/>
    protected override double CycledMomentum { set => Momentum = value; }

    private double _momentum;

    /// <summary>The dampening for momentum.</summary>
    public double Dampening { get; }

    /// <summary>True for Nesterov momentum.</summary>
    public bool Nesterov { get; }

    /// <inheritdoc/>
    public override void Step()
    {
        for (int i = 0; i < Parameters.Count; i++)
        {
            var p = Parameters[i].Parameter;
            bool first = false;
            if (Momentum != 0 && _buffers[i] is null)
            {
                _buffers[i] = Tensor.ZerosLike(p.Value);
                first = true;
            }
            OptimizerKernels.SgdStep(p.Value.Data, p.Grad.Data, _buffers[i] is { } b ? b.Data : Span<float>.Empty,
                (float)LearningRateOf(i), (float)Momentum, (float)Dampening, (float)WeightDecayOf(i), Nesterov, first);
        }
    }

    /// <inheritdoc/>
    protected override void CollectState(Action<string, Tensor> add)
    {
        for (int i = 0; i < Parameters.Count; i++)
            if (_buffers[i] is { } b) add(Parameters[i].Name + ".momentum_buffer", b);
    }

    /// <inheritdoc/>
    public override void LoadState(IReadOnlyDictionary<string, Tensor> state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var loaded = new Tensor?[Parameters.Count];
        foreach (var (key, value) in state)
        {
            var (i, _) = ParseKey(key, ["momentum_buffer"]);
            var shape = Parameters[i].Parameter.Value.ShapeArray();
            loaded[i] = new Tensor((float[])CheckLength(key, value, Parameters[i].Parameter.Value.Length).Data.Clone(), shape);
        }
        Array.Copy(loaded, _buffers, loaded.Length);
    }
}
