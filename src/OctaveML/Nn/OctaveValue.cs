namespace OctaveML.Nn;

/// <summary>
/// An octave feature map of a traced forward: the high-frequency value and, when alpha &gt; 0, the
/// low-frequency one (the graph counterpart of <see cref="OctaveTensor"/>).
/// </summary>
public readonly record struct OctaveValue(Value High, Value? Low)
{
    /// <summary>A plain (alpha = 0) map.</summary>
    public static implicit operator OctaveValue(Value high) => new(high, null);
}
