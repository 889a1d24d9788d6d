using OctaveML.Tensors;

namespace OctaveML.Nn;

/// <summary>
/// An octave feature map: the high-frequency part at full resolution and, when alpha &gt; 0, the
/// low-frequency part at half resolution (ceil(H/2) x ceil(W/2)). A plain tensor is an octave
/// tensor whose <see cref="Low"/> is null.
/// </summary>
public readonly record struct OctaveTensor(Tensor High, Tensor? Low)
{
    /// <summary>A plain (alpha = 0) map.</summary>
    public static implicit operator OctaveTensor(Tensor high) => new(high, null);

    /// <summary>True when there is a low-frequency part.</summary>
    public bool HasLow => Low is not null;
}
