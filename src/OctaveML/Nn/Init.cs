using OctaveML.Tensors;

namespace OctaveML.Nn;

/// <summary>Parameter initialisers with PyTorch's default formulas, drawing from a caller's generator.</summary>
public static class Init
{
    /// <summary>
    /// PyTorch's default weight init for Conv2d and Linear, kaiming_uniform with a = sqrt(5):
    /// gain sqrt(2 / (1 + a^2)) * sqrt(3 / fan_in) = 1 / sqrt(fan_in), so U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
    /// </summary>
    public static Tensor KaimingUniform(Random random, int fanIn, params int[] shape)
    {
        if (fanIn < 1) throw new ArgumentOutOfRangeException(nameof(fanIn), fanIn, "fanIn must be at least 1.");
        return Uniform(random, 1f / MathF.Sqrt(fanIn), shape);
    }

    /// <summary>PyTorch's default bias init for Conv2d and Linear: U(-1/sqrt(fan_in), 1/sqrt(fan_in)).</summary>
    public static Tensor BiasUniform(Random random, int fanIn, int length)
    {
        if (fanIn < 1) throw new ArgumentOutOfRangeException(nameof(fanIn), fanIn, "fanIn must be at least 1.");
        return Uniform(random, 1f / MathF.Sqrt(fanIn), length);
    }

    /// <summary>A tensor of the given shape, uniform in [-bound, bound).</summary>
    public static Tensor Uniform(Random random, float bound, params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(random);
        var t = new Tensor(shape);
        var d = t.Data;
        for (int i = 0; i < d.Length; i++) d[i] = (float)(random.NextDouble() * 2 - 1) * bound;
        return t;
    }
}
