using OctaveML.Interop.Pickle;

namespace OctaveML.Interop.PyTorch;

/// <summary>
/// Finds the state dict in what a torch.save file holds: the dict itself when it maps names to
/// tensors, else the dict of tensors a training script wrapped under "state_dict",
/// "model_state_dict" or "model" (beside "epoch", "optimizer", ...). When every name starts with
/// "module." (a model saved through DataParallel / DistributedDataParallel) the prefix is dropped.
/// </summary>
internal static class TorchStateDict
{
    private const string ParallelPrefix = "module.";

    /// <summary>The keys a wrapped state dict is looked for under, in order.</summary>
    public static readonly string[] WrapperKeys = ["state_dict", "model_state_dict", "model"];

    /// <summary>The state dict's tensors by name, in file order.</summary>
    public static List<KeyValuePair<string, TorchTensorRef>> Find(object? root)
    {
        if (root is not PickleDict dict)
            throw new InvalidDataException(root is TorchTensorRef
                ? "it holds a single tensor, not a state dict (a dict of named tensors)."
                : $"it holds {PickleValues.Describe(root)}, not a state dict (a dict of named tensors).");
        var state = AsStateDict(dict, out string? notTensor);
        if (state is null)
        {
            foreach (var key in WrapperKeys)
                if (dict.TryGetValue(key, out var inner) && inner is PickleDict d && AsStateDict(d, out _) is { } wrapped)
                {
                    state = wrapped;
                    break;
                }
        }
        if (state is null)
        {
            var keys = dict.Items.Take(10).Select(kv => kv.Key is string s ? $"'{s}'" : PickleValues.TypeName(kv.Key));
            throw new InvalidDataException(
                $"it holds a dict with keys [{string.Join(", ", keys)}{(dict.Count > 10 ? ", ..." : "")}] that is not a state dict " +
                $"({notTensor}) and holds none under {string.Join(", ", WrapperKeys.Select(k => $"'{k}'"))}.");
        }
        if (state.Count > 0 && state.All(kv => kv.Key.StartsWith(ParallelPrefix, StringComparison.Ordinal)))
            state = state.Select(kv => new KeyValuePair<string, TorchTensorRef>(kv.Key[ParallelPrefix.Length..], kv.Value)).ToList();
        return state;
    }

    /// <summary>The dict as names and tensors, or null with the first entry that is not one.</summary>
    private static List<KeyValuePair<string, TorchTensorRef>>? AsStateDict(PickleDict dict, out string? notTensor)
    {
        var result = new List<KeyValuePair<string, TorchTensorRef>>(dict.Count);
        foreach (var (key, value) in dict.Items)
        {
            if (key is not string name)
            {
                notTensor = $"a key is {PickleValues.Describe(key)}";
                return null;
            }
            if (value is not TorchTensorRef tensor)
            {
                notTensor = $"'{name}' is {PickleValues.Describe(value)}, not a tensor";
                return null;
            }
            result.Add(new(name, tensor));
        }
        notTensor = null;
        return result;
    }
}
