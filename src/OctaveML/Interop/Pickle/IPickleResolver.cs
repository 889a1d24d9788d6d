namespace OctaveML.Interop.Pickle;

/// <summary>
/// What a pickle's references to code mean, decided by the caller of <see cref="PickleReader"/>: the
/// reader itself builds only plain values (None, bool, int, float, str, bytes, tuple, list, dict)
/// and hands every global, call, BUILD and persistent id here. An implementation refuses whatever
/// it does not know by throwing <see cref="InvalidDataException"/>; nothing is ever executed.
/// </summary>
internal interface IPickleResolver
{
    /// <summary>The value of GLOBAL / STACK_GLOBAL <paramref name="module"/>.<paramref name="name"/>.</summary>
    object Global(string module, string name);

    /// <summary>The result of REDUCE or NEWOBJ: <paramref name="callable"/> (a value from <see cref="Global"/>) applied to <paramref name="args"/>.</summary>
    object? Call(object? callable, object?[] args);

    /// <summary>BUILD: <paramref name="target"/> after Python's __setstate__ with <paramref name="state"/>.</summary>
    object? Build(object? target, object? state);

    /// <summary>BINPERSID: the object a persistent id stands for.</summary>
    object? PersistentLoad(object? pid);
}
