using System.Numerics.Tensors;

namespace OctaveML.Data.Augmentations;

/// <summary>
/// torchvision's <c>Normalize(mean, std)</c>: x = (x - mean[c]) / std[c] for every channel c.
/// Use <see cref="ChannelStatistics.Compute"/> for a dataset's own values, or the ImageNet ones.
/// </summary>
public sealed class Normalize : IBatchTransform
{
    /// <summary>ImageNet's RGB mean, as torchvision's pretrained models use.</summary>
    public static IReadOnlyList<float> ImageNetMean { get; } = [0.485f, 0.456f, 0.406f];
    /// <summary>ImageNet's RGB standard deviation.</summary>
    public static IReadOnlyList<float> ImageNetStd { get; } = [0.229f, 0.224f, 0.225f];

    private readonly float[] _mean, _std;

    /// <summary>One mean and one positive standard deviation per channel.</summary>
    public Normalize(IReadOnlyList<float> mean, IReadOnlyList<float> std)
    {
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(std);
        if (mean.Count == 0) throw new ArgumentException("mean must have one value per channel.", nameof(mean));
        if (std.Count != mean.Count) throw new ArgumentException($"std has {std.Count} values; expected {mean.Count}, one per channel like mean.", nameof(std));
        for (int i = 0; i < std.Count; i++)
            if (!(std[i] > 0) || float.IsInfinity(std[i])) throw new ArgumentOutOfRangeException(nameof(std), std[i], $"std[{i}] must be positive and finite.");
        _mean = mean.ToArray(); _std = std.ToArray();
    }

    /// <summary>The per-channel means.</summary>
    public IReadOnlyList<float> Mean => _mean;
    /// <summary>The per-channel standard deviations.</summary>
    public IReadOnlyList<float> Std => _std;

    /// <inheritdoc/>
    public void Apply(Batch batch)
    {
        var x = batch.Images;
        if (x.C != _mean.Length)
            throw new InvalidOperationException($"Normalize has {_mean.Length} channel statistics but the batch has {x.C} channels.");
        int plane = x.H * x.W;
        for (int n = 0; n < x.N; n++)
            for (int c = 0; c < x.C; c++)
            {
                var p = x.Data.AsSpan((n * x.C + c) * plane, plane);
                // (x - m) / s as torchvision computes it: subtract, then divide (not multiply by 1/s).
                TensorPrimitives.Subtract(p, _mean[c], p);
                TensorPrimitives.Divide(p, _std[c], p);
            }
    }
}
