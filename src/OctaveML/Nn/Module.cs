using OctaveML.Tensors;

namespace OctaveML.Nn;

/// <summary>
/// Base of every layer and model, after PyTorch's nn.Module: named parameters, buffers and child
/// modules, whose dotted paths (<c>layer1.0.conv1.conv.conv_h2l.weight</c>) are exactly the keys of
/// the reference's state_dict. A module declares structure; layers declare their forward over graph
/// values (<see cref="Layer"/>, <see cref="OctaveLayer"/>) and a <see cref="GraphExecutor"/> runs it
/// and owns the memory.
/// </summary>
public abstract class Module
{
    private readonly List<(string Name, Parameter Param)> _parameters = new();
    private readonly List<(string Name, Tensor Buffer)> _buffers = new();
    private readonly List<(string Name, Module Child)> _children = new();

    /// <summary>True in training mode (the default), false in eval mode.</summary>
    public bool Training { get; private set; } = true;

    /// <summary>Registers a parameter under <paramref name="name"/> and returns it.</summary>
    protected Parameter RegisterParameter(string name, Tensor value)
    {
        CheckName(name);
        var p = new Parameter(value);
        _parameters.Add((name, p));
        return p;
    }

    /// <summary>Registers a buffer (state that is saved but not trained, e.g. BN running statistics).</summary>
    protected Tensor RegisterBuffer(string name, Tensor value)
    {
        CheckName(name);
        _buffers.Add((name, value));
        return value;
    }

    /// <summary>Registers a child module; its names are prefixed with <paramref name="name"/>.</summary>
    protected T RegisterModule<T>(string name, T module) where T : Module
    {
        CheckName(name);
        ArgumentNullException.ThrowIfNull(module);
        _children.Add((name, module));
        return module;
    }

    /// <summary>Direct children with their names.</summary>
    public IEnumerable<(string Name, Module Module)> NamedChildren() => _children;

    /// <summary>Every parameter of this module and its descendants, with dotted names, in registration order.</summary>
    public IEnumerable<(string Name, Parameter Parameter)> NamedParameters(string prefix = "")
    {
        foreach (var (name, p) in _parameters) yield return (prefix + name, p);
        foreach (var (name, child) in _children)
            foreach (var item in child.NamedParameters(prefix + name + "."))
                yield return item;
    }

    /// <summary>Every buffer of this module and its descendants, with dotted names.</summary>
    public IEnumerable<(string Name, Tensor Buffer)> NamedBuffers(string prefix = "")
    {
        foreach (var (name, b) in _buffers) yield return (prefix + name, b);
        foreach (var (name, child) in _children)
            foreach (var item in child.NamedBuffers(prefix + name + "."))
                yield return item;
    }

    /// <summary>Every module in the tree (this one first) with its dotted path ("" for this one).</summary>
    public IEnumerable<(string Name, Module Module)> NamedModules(string prefix = "")
    {
        yield return (prefix.TrimEnd('.'), this);
        foreach (var (name, child) in _children)
            foreach (var item in child.NamedModules(prefix + name + "."))
                yield return item;
    }

    /// <summary>The parameters in registration order.</summary>
    public IEnumerable<Parameter> Parameters() => NamedParameters().Select(x => x.Parameter);

    /// <summary>Parameters and buffers by name, as PyTorch's state_dict (the tensors are not copied).</summary>
    public Dictionary<string, Tensor> StateDict()
    {
        var d = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (n, p) in NamedParameters()) d.Add(n, p.Value);
        foreach (var (n, b) in NamedBuffers()) d.Add(n, b);
        return d;
    }

    /// <summary>
    /// Copies tensors into the parameters and buffers of the same names. With <paramref name="strict"/>,
    /// a missing or unexpected key is an error; a shape mismatch always is.
    /// </summary>
    public void LoadStateDict(IReadOnlyDictionary<string, Tensor> state, bool strict = true)
    {
        ArgumentNullException.ThrowIfNull(state);
        var own = StateDict();
        if (strict)
        {
            var missing = own.Keys.Where(k => !state.ContainsKey(k)).ToList();
            var unexpected = state.Keys.Where(k => !own.ContainsKey(k)).ToList();
            if (missing.Count > 0 || unexpected.Count > 0)
                throw new ArgumentException(
                    $"state dict does not match the module: missing [{string.Join(", ", missing.Take(10))}]" +
                    $"{(missing.Count > 10 ? $" and {missing.Count - 10} more" : "")}, unexpected [{string.Join(", ", unexpected.Take(10))}]" +
                    $"{(unexpected.Count > 10 ? $" and {unexpected.Count - 10} more" : "")}.", nameof(state));
        }
        foreach (var (name, target) in own)
        {
            if (!state.TryGetValue(name, out var src)) continue;
            if (src.Length != target.Length || (src.Rank == target.Rank && !src.SameShape(target)))
                throw new ArgumentException($"'{name}' has shape {src.ShapeString}, the module expects {target.ShapeString}.", nameof(state));
            src.Data.AsSpan().CopyTo(target.Data);
        }
    }

    /// <summary>Clears the gradients of every parameter.</summary>
    public void ZeroGrad()
    {
        foreach (var p in Parameters()) p.ZeroGrad();
    }

    /// <summary>Sets training (true) or eval (false) mode on this module and all descendants.</summary>
    public Module Train(bool training = true)
    {
        foreach (var (_, m) in NamedModules()) m.Training = training;
        return this;
    }

    /// <summary>Eval mode: BN uses running statistics.</summary>
    public Module Eval() => Train(false);

    /// <summary>Total number of trainable scalars.</summary>
    public long ParameterCount() => Parameters().Sum(p => (long)p.Value.Length);

    private void CheckName(string name)
    {
        if (string.IsNullOrEmpty(name) || name.Contains('.'))
            throw new ArgumentException($"'{name}' is not a valid name: it must be non-empty and contain no '.'.", nameof(name));
        if (_parameters.Any(x => x.Name == name) || _buffers.Any(x => x.Name == name) || _children.Any(x => x.Name == name))
            throw new ArgumentException($"'{name}' is already registered on {GetType().Name}.", nameof(name));
    }
}
