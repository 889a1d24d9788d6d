namespace OctaveML.Interop.Pickle;

/// <summary>A reference to a Python global (module.name), as GLOBAL names it; a resolver's allowed value.</summary>
internal sealed record PickleGlobal(string Module, string Name)
{
    /// <summary>"module.name".</summary>
    public override string ToString() => $"{Module}.{Name}";
}
