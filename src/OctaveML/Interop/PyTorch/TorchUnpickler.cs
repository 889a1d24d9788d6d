using OctaveML.Interop.Pickle;

namespace OctaveML.Interop.PyTorch;

/// <summary>
/// The meaning of torch.save's pickles, restricted to what a state dict needs: an allow-list of
/// globals (collections.OrderedDict, torch._utils._rebuild_tensor_v2 / _rebuild_parameter, the
/// typed storage classes, dtype names), storage persistent ids and tensor rebuilds. Any other global
/// (a model class, a function such as os.system) is refused with a message that says what the file
/// pickles instead of a state dict; nothing is ever instantiated or called.
/// </summary>
internal sealed class TorchUnpickler : IPickleResolver
{
    private static readonly PickleGlobal OrderedDict = new("collections", "OrderedDict");
    private static readonly PickleGlobal RebuildTensor = new("torch._utils", "_rebuild_tensor_v2");
    private static readonly PickleGlobal RebuildParameter = new("torch._utils", "_rebuild_parameter");
    private static readonly PickleGlobal RebuildParameterWithState = new("torch._utils", "_rebuild_parameter_with_state");

    /// <summary>The dtype names torch pickles as globals (torch.float32 ...): plain values, never called.</summary>
    private static readonly HashSet<string> DTypeNames = new(StringComparer.Ordinal)
    {
        "float32", "float", "float64", "double", "float16", "half", "bfloat16", "int64", "long", "int32", "int",
        "int16", "short", "int8", "uint8", "bool", "complex64", "cfloat", "complex128", "cdouble",
    };

    /// <summary>A storage class global (torch.FloatStorage ...), which only a persistent id uses.</summary>
    private sealed record StorageClass(PickleGlobal Global, TorchDType DType)
    {
        public override string ToString() => Global.ToString();
    }

    private readonly Dictionary<string, TorchStorage> _storages = new(StringComparer.Ordinal);

    /// <summary>Every storage the pickle referred to, by key.</summary>
    public IReadOnlyDictionary<string, TorchStorage> Storages => _storages;

    /// <inheritdoc/>
    public object Global(string module, string name)
    {
        var g = new PickleGlobal(module, name);
        if (g == OrderedDict || g == RebuildTensor || g == RebuildParameter || g == RebuildParameterWithState) return g;
        if (module == "torch" && DTypeNames.Contains(name)) return g;
        bool storageModule = module == "torch" || (module == "torch.storage" && name == "UntypedStorage");
        if (storageModule && name.EndsWith("Storage", StringComparison.Ordinal))
        {
            if (TorchDTypes.TryFromStorageClass(name, out var dtype)) return new StorageClass(g, dtype);
            throw new InvalidDataException($"it holds a tensor stored as {g}, a dtype the reader does not convert (supported: {TorchDTypes.Supported}).");
        }
        if (module.StartsWith("__torch__", StringComparison.Ordinal))
            throw new InvalidDataException($"it pickles TorchScript class {g}, not a state dict; save model.state_dict() with torch.save.");
        throw new InvalidDataException($"it pickles class {g}, not a state dict; save model.state_dict() rather than the model or other objects.");
    }

    /// <inheritdoc/>
    public object? Call(object? callable, object?[] args)
    {
        if (Equals(callable, OrderedDict))
        {
            if (args.Length == 0) return new PickleDict();
            throw new InvalidDataException($"collections.OrderedDict is called with {args.Length} arguments; torch.save passes none.");
        }
        if (Equals(callable, RebuildTensor)) return RebuildTensorV2(args);
        // A Parameter is its tensor here: requires_grad and hooks do not matter to a state dict.
        if ((Equals(callable, RebuildParameter) && args.Length == 3) || (Equals(callable, RebuildParameterWithState) && args.Length == 4))
            return args[0] as TorchTensorRef ?? throw new InvalidDataException($"{callable} is applied to {PickleValues.Describe(args[0])}, not a tensor.");
        throw new InvalidDataException($"the pickle calls {PickleValues.TypeName(callable)} with {args.Length} arguments, which no state dict does.");
    }

    /// <inheritdoc/>
    public object? Build(object? target, object? state)
    {
        // OrderedDict's state is the state dict's _metadata (module versions): not weights.
        if (target is PickleDict) return target;
        throw new InvalidDataException($"the pickle sets the state of {PickleValues.Describe(target)}, which no state dict does.");
    }

    /// <inheritdoc/>
    public object? PersistentLoad(object? pid)
    {
        // ('storage', storage class, key, location, numel) in the zip format; the legacy format adds view
        // metadata. The location (cpu, cuda:0) does not matter: everything is read to memory. numel counts
        // elements (bytes for an untyped storage).
        if (pid is not object?[] { Length: 5 or 6 } t || t[0] is not "storage")
            throw new InvalidDataException(pid is object?[] other
                ? $"a persistent id is a tuple of {other.Length} items starting with {PickleValues.Describe(other.FirstOrDefault())}, not torch.save's ('storage', class, key, location, size)."
                : $"a persistent id is {PickleValues.Describe(pid)}, not torch.save's ('storage', class, key, location, size) tuple.");
        if (t[1] is not StorageClass cls) throw new InvalidDataException($"a storage's class is {PickleValues.TypeName(t[1])}, not a torch storage class.");
        if (t[2] is not string key) throw new InvalidDataException($"a storage key is {PickleValues.Describe(t[2])}, not a string.");
        if (PickleValues.AsInt64(t[4]) is not long numel) throw new InvalidDataException($"storage '{key}' has a size of type {PickleValues.TypeName(t[4])}.");
        if (t.Length == 6 && t[5] is not null)
            throw new InvalidDataException($"storage '{key}' is a view into another storage (PyTorch before 1.0); re-save the file with a recent PyTorch.");
        if (_storages.TryGetValue(key, out var known))
        {
            if (known.DType != cls.DType || known.Numel != numel)
                throw new InvalidDataException($"storage '{key}' is named twice, as {known.Numel} {known.DType} and as {numel} {cls.DType} elements.");
            return known;
        }
        var storage = new TorchStorage(key, cls.DType, numel);
        _storages.Add(key, storage);
        return storage;
    }

    // _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])
    private static TorchTensorRef RebuildTensorV2(object?[] args)
    {
        if (args.Length is not (6 or 7))
            throw new InvalidDataException($"torch._utils._rebuild_tensor_v2 has {args.Length} arguments, expected 6 or 7.");
        if (args[0] is not TorchStorage storage) throw new InvalidDataException($"a tensor's storage is {PickleValues.Describe(args[0])}.");
        if (PickleValues.AsInt64(args[1]) is not long offset) throw new InvalidDataException($"a tensor of storage '{storage.Key}' has an offset of type {PickleValues.TypeName(args[1])}.");
        long[] sizes = Ints(args[2], "sizes", storage), strides = Ints(args[3], "strides", storage);
        if (sizes.Any(s => s is < 0 or > int.MaxValue))
            throw new InvalidDataException($"a tensor of storage '{storage.Key}' has sizes [{string.Join(", ", sizes)}].");
        return new TorchTensorRef(storage, offset, sizes.Select(s => (int)s).ToArray(), strides);
    }

    private static long[] Ints(object? value, string what, TorchStorage storage)
    {
        if (value is not object?[] tuple) throw new InvalidDataException($"a tensor of storage '{storage.Key}' has {what} of type {PickleValues.TypeName(value)}.");
        var result = new long[tuple.Length];
        for (int i = 0; i < tuple.Length; i++)
            result[i] = PickleValues.AsInt64(tuple[i]) ?? throw new InvalidDataException($"a tensor of storage '{storage.Key}' has {what} holding {PickleValues.Describe(tuple[i])}.");
        return result;
    }
}
