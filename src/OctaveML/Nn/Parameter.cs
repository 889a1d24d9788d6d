using OctaveML.Tensors;

namespace OctaveML.Nn;

/// <summary>A trainable tensor and the gradient that backward passes accumulate into it.</summary>
public sealed class Parameter
{
    /// <summary>Wraps <paramref name="value"/> with a zero gradient of the same shape.</summary>
    public Parameter(Tensor value)
    {
        Value = value ?? throw new ArgumentNullException(nameof(value));
        Grad = Tensor.ZerosLike(value);
    }

    /// <summary>The current value.</summary>
    public Tensor Value { get; }

    /// <summary>The gradient; backward adds to it (as PyTorch does), <see cref="ZeroGrad"/> clears it.</summary>
    public Tensor Grad { get; }

    /// <summary>Clears the gradient.</summary>
    public void ZeroGrad() => Grad.Clear();
}
