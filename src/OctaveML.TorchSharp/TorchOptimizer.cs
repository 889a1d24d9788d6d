using OctaveML.Training;
using TorchSharp;
using TorchSharp.Modules;
using AdamW = TorchSharp.Modules.AdamW;
using static TorchSharp.torch;
using OctaveTensor = OctaveML.Tensors.Tensor;

namespace OctaveML.TorchSharp;

/// <summary>
/// torch.optim.SGD or AdamW set up as the engine's optimizer for the same <see cref="TrainerOptions"/>
/// (param groups for no weight decay on rank-1 parameters when asked, and for a backbone learning at
/// <see cref="TrainerOptions.BackboneLearningRateFactor"/> times the rate; a frozen one is left out), with its state exchanged
/// under the engine's names: "&lt;parameter&gt;.momentum_buffer"; ".exp_avg", ".exp_avg_sq", ".step".
/// </summary>
internal sealed class TorchOptimizer : IDisposable
{
    private readonly OptimizerHelper _optimizer;
    private readonly (string Name, Parameter Parameter)[] _order; // the order of state_dict().State
    private readonly double[] _factors; // each param group's learning-rate factor
    private readonly OptimizerKind _kind;
    private readonly double _beta2;

    public TorchOptimizer(IEnumerable<(string Name, Parameter Parameter)> parameters, TrainerOptions o)
    {
        // Param groups by learning-rate factor (the head at 1, the rest at BackboneLearningRateFactor; a
        // frozen backbone is left out) and by weight decay (none on rank-1 parameters when asked).
        var all = parameters.Where(x => o.BackboneLearningRateFactor > 0 || TrainerOptions.IsHead(x.Name)).ToArray();
        double Factor((string Name, Parameter Parameter) x) => TrainerOptions.IsHead(x.Name) ? 1 : o.BackboneLearningRateFactor;
        bool Decayed((string Name, Parameter Parameter) x) => !o.NoWeightDecayOnBiasAndNorm || x.Parameter.dim() > 1;
        var groups = all.GroupBy(x => (Factor: Factor(x), Decayed: Decayed(x)))
            .OrderByDescending(g => g.Key.Decayed).ThenByDescending(g => g.Key.Factor)
            .Select(g => (Parameters: g.ToArray(), g.Key.Factor, WeightDecay: g.Key.Decayed ? o.WeightDecay : 0.0)).ToArray();
        if (groups.Length == 0)
            throw new ArgumentException($"no parameters under '{OctaveML.Models.ImageClassifier.HeadName}.' to train with BackboneLearningRateFactor = 0.", nameof(parameters));
        _order = groups.SelectMany(g => g.Parameters).ToArray();
        _factors = groups.Select(g => g.Factor).ToArray();
        _kind = o.Optimizer;
        _beta2 = o.Beta2;
        _optimizer = o.Optimizer switch
        {
            OptimizerKind.Sgd => optim.SGD(
                groups.Select(g => new SGD.ParamGroup(g.Parameters.Select(x => x.Parameter), o.LearningRate * g.Factor, o.Momentum, 0, g.WeightDecay, o.Nesterov)),
                o.LearningRate, o.Momentum, 0, o.WeightDecay, o.Nesterov),
            OptimizerKind.AdamW => optim.AdamW(
                groups.Select(g => new AdamW.ParamGroup(g.Parameters.Select(x => x.Parameter), o.LearningRate * g.Factor, o.Beta1, o.Beta2, o.Epsilon, g.WeightDecay)),
                o.LearningRate, o.Beta1, o.Beta2, o.Epsilon, o.WeightDecay),
            _ => throw new ArgumentOutOfRangeException(nameof(o), o.Optimizer, "unknown optimizer kind."),
        };
    }

    public void ZeroGrad() => _optimizer.zero_grad();

    /// <summary>One step at <paramref name="learningRate"/>, after setting SGD's momentum or AdamW's beta1 when given.</summary>
    public void Step(double learningRate, double? momentum)
    {
        int index = 0;
        foreach (var group in _optimizer.ParamGroups)
        {
            group.LearningRate = learningRate * _factors[index++];
            if (momentum is not { } m) continue;
            switch (group)
            {
                case SGD.ParamGroup sgd: sgd.Momentum = m; break;
                case AdamW.ParamGroup adam: adam.Betas = (m, _beta2); break;
            }
        }
        _optimizer.step();
    }

    /// <summary>The state of every parameter that has stepped, under the engine's names (copies in main memory).</summary>
    public Dictionary<string, OctaveTensor> StateDict()
    {
        var d = new Dictionary<string, OctaveTensor>(StringComparer.Ordinal);
        var states = _optimizer.state_dict().State;
        for (int i = 0; i < _order.Length; i++)
        {
            string name = _order[i].Name;
            switch (states[i])
            {
                case SGD.State s when s.momentum_buffer is not null:
                    d.Add(name + ".momentum_buffer", TensorConversion.ToOctave(s.momentum_buffer));
                    break;
                case AdamW.State s when s.step > 0:
                    if (s.step > 1 << 24)
                        throw new InvalidOperationException($"parameter '{name}' has taken {s.step} steps, more than a float32 step counter holds exactly.");
                    d.Add(name + ".exp_avg", TensorConversion.ToOctave(s.exp_avg));
                    d.Add(name + ".exp_avg_sq", TensorConversion.ToOctave(s.exp_avg_sq));
                    d.Add(name + ".step", new OctaveTensor([s.step], 1));
                    break;
            }
        }
        return d;
    }

    /// <summary>Restores <see cref="StateDict"/>'s output (from either backend); parameters absent from it start fresh.</summary>
    public void LoadStateDict(IReadOnlyDictionary<string, OctaveTensor> state)
    {
        ArgumentNullException.ThrowIfNull(state);
        string[] stateNames = _kind == OptimizerKind.Sgd ? ["momentum_buffer"] : ["exp_avg", "exp_avg_sq", "step"];
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < _order.Length; i++) index[_order[i].Name] = i;
        var loaded = new Dictionary<(int, string), OctaveTensor>();
        foreach (var (key, value) in state)
        {
            int dot = key.LastIndexOf('.');
            if (dot <= 0 || !index.TryGetValue(key[..dot], out int i) || !stateNames.Contains(key[(dot + 1)..]))
                throw new ArgumentException(
                    $"optimizer state key '{key}' does not match this {_kind}: expected '<parameter>.<{string.Join("|", stateNames)}>' for one of its {_order.Length} parameters.", nameof(state));
            long expected = key.EndsWith(".step", StringComparison.Ordinal) ? 1 : _order[i].Parameter.numel();
            if (value.Length != expected)
                throw new ArgumentException($"optimizer state '{key}' has {value.Length} elements, expected {expected}.", nameof(state));
            loaded[(i, key[(dot + 1)..])] = value;
        }
        if (_kind == OptimizerKind.AdamW)
        {
            for (int i = 0; i < _order.Length; i++)
            {
                bool m = loaded.ContainsKey((i, "exp_avg")), v = loaded.ContainsKey((i, "exp_avg_sq")), k = loaded.TryGetValue((i, "step"), out var step);
                if ((m || v || k) && !(m && v && k))
                    throw new ArgumentException($"optimizer state for '{_order[i].Name}' is incomplete: exp_avg, exp_avg_sq and step must all be present.", nameof(state));
                if (k && !(step!.Data[0] >= 1 && step.Data[0] == MathF.Floor(step.Data[0])))
                    throw new ArgumentException($"optimizer state '{_order[i].Name}.step' is {step.Data[0]}, expected a whole step count >= 1.", nameof(state));
            }
        }

        var states = _optimizer.state_dict().State;
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        for (int i = 0; i < _order.Length; i++)
        {
            var p = _order[i].Parameter;
            Tensor? Loaded(string stateName) =>
                loaded.TryGetValue((i, stateName), out var t) ? TensorConversion.ToTorch(t, p.device).reshape(p.shape) : null;
            switch (states[i])
            {
                case SGD.State s:
                    s.momentum_buffer?.Dispose();
                    s.momentum_buffer = Loaded("momentum_buffer")?.DetachFromDisposeScope()!;
                    break;
                case AdamW.State s:
                    s.step = loaded.TryGetValue((i, "step"), out var step) ? (long)step.Data[0] : 0;
                    if (Loaded("exp_avg") is { } m) s.exp_avg.copy_(m); else s.exp_avg.zero_();
                    if (Loaded("exp_avg_sq") is { } v) s.exp_avg_sq.copy_(v); else s.exp_avg_sq.zero_();
                    break;
            }
        }
    }

    public void Dispose() => _optimizer.Dispose();
}
