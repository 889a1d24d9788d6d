using OctaveML.Nn;
using OctaveML.Tensors;

namespace OctaveML.Training;

/// <summary>
/// Base of the optimizers, after torch.optim.Optimizer: updates a fixed list of named parameters
/// from their gradients. Per-parameter state (momentum buffers, moments, step counts) is keyed by
/// parameter name in <see cref="StateDict"/>, so it survives a checkpoint round trip and any
/// re-creation of the model that keeps the state_dict names.
/// </summary>
public abstract class Optimizer
{
    private readonly (string Name, Parameter Parameter)[] _parameters;
    private readonly bool[] _decay;
    private readonly double[] _learningRateFactors;
    private double _learningRate;

    /// <summary>Takes the parameters to optimise, in order, with their state_dict names.</summary>
    protected Optimizer(IEnumerable<(string Name, Parameter Parameter)> parameters, double learningRate, double weightDecay, bool noWeightDecayOnBiasAndNorm)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        _parameters = parameters.ToArray();
        if (_parameters.Length == 0)
            throw new ArgumentException("parameters is empty; an optimizer needs at least one parameter.", nameof(parameters));
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, p) in _parameters)
        {
            ArgumentNullException.ThrowIfNull(p, nameof(parameters));
            if (!names.Add(name)) throw new ArgumentException($"parameter name '{name}' appears twice; names must be unique.", nameof(parameters));
        }
        if (!(weightDecay >= 0) || double.IsInfinity(weightDecay))
            throw new ArgumentOutOfRangeException(nameof(weightDecay), weightDecay, "weightDecay must be a finite value >= 0.");
        LearningRate = learningRate;
        WeightDecay = weightDecay;
        NoWeightDecayOnBiasAndNorm = noWeightDecayOnBiasAndNorm;
        _decay = _parameters.Select(x => !noWeightDecayOnBiasAndNorm || x.Parameter.Value.Rank > 1).ToArray();
        _learningRateFactors = Enumerable.Repeat(1.0, _parameters.Length).ToArray();
    }

    /// <summary>The parameters being optimised, with their names, in step order.</summary>
    public IReadOnlyList<(string Name, Parameter Parameter)> Parameters => _parameters;

    /// <summary>The learning rate of the next <see cref="Step()"/>; schedules set it before each iteration.</summary>
    public double LearningRate
    {
        get => _learningRate;
        set
        {
            if (!(value >= 0) || double.IsInfinity(value))
                throw new ArgumentOutOfRangeException(nameof(value), value, "LearningRate must be a finite value >= 0.");
            _learningRate = value;
        }
    }

    /// <summary>The weight decay factor (L2 for SGD, decoupled for AdamW).</summary>
    public double WeightDecay { get; }

    /// <summary>
    /// When true, parameters of rank 1 or less (biases, BatchNorm weights and biases) get no weight
    /// decay. Default false, as in PyTorch (where it takes a second param group).
    /// </summary>
    public bool NoWeightDecayOnBiasAndNorm { get; }

    /// <summary>The weight decay applied to parameter <paramref name="index"/>.</summary>
    protected double WeightDecayOf(int index) => _decay[index] ? WeightDecay : 0;

    /// <summary>
    /// Makes parameter <paramref name="name"/> step at <paramref name="factor"/> times <see cref="LearningRate"/>
    /// (PyTorch: a param group with its own lr, e.g. a pretrained backbone at a tenth of the head's rate). The
    /// factor scales the whole update, weight decay included, as a group's lr does in torch.optim. Default 1.
    /// </summary>
    public void SetLearningRateFactor(string name, double factor)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!(factor >= 0) || double.IsInfinity(factor))
            throw new ArgumentOutOfRangeException(nameof(factor), factor, "factor must be a finite value >= 0.");
        int index = Array.FindIndex(_parameters, x => x.Name == name);
        if (index < 0) throw new ArgumentException($"'{name}' is not one of this optimizer's {_parameters.Length} parameters.", nameof(name));
        _learningRateFactors[index] = factor;
    }

    /// <summary>The factor of parameter <paramref name="name"/>'s learning rate (see <see cref="SetLearningRateFactor"/>).</summary>
    public double LearningRateFactor(string name)
    {
        int index = Array.FindIndex(_parameters, x => x.Name == name);
        return index >= 0 ? _learningRateFactors[index]
            : throw new ArgumentException($"'{name}' is not one of this optimizer's {_parameters.Length} parameters.", nameof(name));
    }

    /// <summary>The learning rate of parameter <paramref name="index"/>'s next step: <see cref="LearningRate"/> times its factor.</summary>
    protected double LearningRateOf(int index) => LearningRate * _learningRateFactors[index];

    /// <summary>Clears every parameter's gradient.</summary>
    public void ZeroGrad()
    {
        foreach (var (_, p) in _parameters) p.ZeroGrad();
    }

    /// <summary>Updates every parameter from its gradient with the current <see cref="LearningRate"/>.</summary>
    public abstract void Step();

    /// <summary>
    /// One scheduled step: <see cref="LearningRate"/> set to <paramref name="learningRate"/> and, when a schedule
    /// cycles it (one-cycle, as torch's OneCycleLR), the momentum set to <paramref name="momentum"/>; then <see cref="Step()"/>.
    /// </summary>
    public void Step(double learningRate, double? momentum)
    {
        LearningRate = learningRate;
        if (momentum is { } m) CycledMomentum = m;
        Step();
    }

    /// <summary>The momentum a schedule cycles: SGD's momentum factor, AdamW's beta1 (as torch's OneCycleLR).</summary>
    protected abstract double CycledMomentum { set; }

    /// <summary>The per-parameter state as tensors keyed "&lt;parameter name&gt;.&lt;state name&gt;" (copies).</summary>
    public Dictionary<string, Tensor> StateDict() =>
        StateView().ToDictionary(x => x.Key, x => x.Value.Clone(), StringComparer.Ordinal);

    /// <summary>The state without copying (the live tensors), for a checkpoint written at once.</summary>
    internal Dictionary<string, Tensor> StateView()
    {
        var d = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        CollectState((key, value) => d.Add(key, value));
        return d;
    }

    /// <summary>Hands every state tensor to <paramref name="add"/> with its key (not copied; the base copies).</summary>
    protected abstract void CollectState(Action<string, Tensor> add);

    /// <summary>
    /// Restores state written by <see cref="StateDict"/>. Every key must name one of this optimizer's
    /// parameters and a known state with the right shape; state that is absent starts fresh.
    /// </summary>
    public abstract void LoadState(IReadOnlyDictionary<string, Tensor> state);

    /// <summary>Splits a state key into (parameter index, state name), or throws naming the key.</summary>
    protected (int Index, string StateName) ParseKey(string key, IReadOnlyCollection<string> stateNames)
    {
        int dot = key.LastIndexOf('.');
        string param = dot > 0 ? key[..dot] : "", stateName = dot > 0 ? key[(dot + 1)..] : key;
        int index = Array.FindIndex(_parameters, x => x.Name == param);
        if (index < 0 || !stateNames.Contains(stateName))
            throw new ArgumentException(
                $"optimizer state key '{key}' does not match this {GetType().Name}: expected '<parameter>.<{string.Join("|", stateNames)}>' for one of its {_parameters.Length} parameters.", "state");
        return (index, stateName);
    }

    /// <summary>Checks that a loaded state tensor has the length the parameter needs.</summary>
    protected static Tensor CheckLength(string key, Tensor value, int length)
    {
        if (value.Length != length)
            throw new ArgumentException($"optimizer state '{key}' has {value.Length} elements, expected {length}.", "state");
        return value;
    }
}
