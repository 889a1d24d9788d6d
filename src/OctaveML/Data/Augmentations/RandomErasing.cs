using OctaveML.Tensors;

namespace OctaveML.Data.Augmentations;

/// <summary>
/// torchvision's <c>RandomErasing(p, scale, ratio, value)</c> (Zhong et al., 2017): with probability
/// <see cref="Probability"/>, one rectangle of the image, all channels, is set to <see cref="Value"/>.
/// Its area is a share in [<see cref="MinScale"/>, <see cref="MaxScale"/>] of the image and its aspect
/// ratio (height over width) is log-uniform in [<see cref="MinRatio"/>, <see cref="MaxRatio"/>]; as in
/// torchvision, up to 10 draws look for a rectangle that fits, and an image where none fits is left
/// alone. Runs on normalised pixels, so the default value 0 is the training data's mean colour. Every
/// draw comes from (Seed, the loader's seed, epoch, dataset index).
/// </summary>
public sealed class RandomErasing : IBatchTransform
{
    /// <summary>Draws for a rectangle that fits before the image is left as it is (torchvision's 10).</summary>
    public const int Attempts = 10;

    /// <summary>Erases with probability <paramref name="probability"/> (torchvision's defaults for the rest).</summary>
    public RandomErasing(double probability = 0.5, ulong seed = 0, double minScale = 0.02, double maxScale = 0.33,
        double minRatio = 0.3, double maxRatio = 3.3, float value = 0f)
    {
        if (!(probability >= 0 && probability <= 1))
            throw new ArgumentOutOfRangeException(nameof(probability), probability, "probability must be in [0, 1].");
        if (!(minScale > 0 && minScale <= maxScale && maxScale <= 1))
            throw new ArgumentOutOfRangeException(nameof(minScale), minScale, $"0 < minScale <= maxScale (= {maxScale}) <= 1 must hold.");
        if (!(minRatio > 0 && minRatio <= maxRatio && double.IsFinite(maxRatio)))
            throw new ArgumentOutOfRangeException(nameof(minRatio), minRatio, $"0 < minRatio <= maxRatio (= {maxRatio}) < infinity must hold.");
        if (!float.IsFinite(value)) throw new ArgumentOutOfRangeException(nameof(value), value, "value must be finite.");
        Probability = probability; Seed = seed; MinScale = minScale; MaxScale = maxScale; MinRatio = minRatio; MaxRatio = maxRatio; Value = value;
    }

    /// <summary>The chance that an image gets a rectangle erased.</summary>
    public double Probability { get; }
    /// <summary>The randomness seed.</summary>
    public ulong Seed { get; }
    /// <summary>The smallest erased share of the image's area.</summary>
    public double MinScale { get; }
    /// <summary>The largest erased share of the image's area.</summary>
    public double MaxScale { get; }
    /// <summary>The smallest aspect ratio (height / width) of the rectangle.</summary>
    public double MinRatio { get; }
    /// <summary>The largest aspect ratio (height / width) of the rectangle.</summary>
    public double MaxRatio { get; }
    /// <summary>What erased pixels become.</summary>
    public float Value { get; }

    /// <summary>
    /// The rectangle (top, left, height, width) erased from dataset image <paramref name="index"/> of
    /// <paramref name="height"/> x <paramref name="width"/> pixels in <paramref name="epoch"/> under a
    /// loader seeded with <paramref name="loaderSeed"/>, or null when the image is left alone.
    /// </summary>
    public (int Top, int Left, int Height, int Width)? Rectangle(int epoch, int index, int height, int width, ulong loaderSeed = 0)
    {
        var r = Rng.Derive(Seed, 0xE7A5_0000UL, loaderSeed, (ulong)epoch, (ulong)index);
        if (!(r.NextDouble() < Probability)) return null;
        double area = (double)height * width, logMin = Math.Log(MinRatio), logMax = Math.Log(MaxRatio);
        for (int attempt = 0; attempt < Attempts; attempt++)
        {
            double erase = area * (MinScale + (MaxScale - MinScale) * r.NextDouble());
            double ratio = Math.Exp(logMin + (logMax - logMin) * r.NextDouble());
            int h = (int)Math.Round(Math.Sqrt(erase * ratio)), w = (int)Math.Round(Math.Sqrt(erase / ratio));
            if (h < 1 || w < 1 || h >= height || w >= width) continue; // torchvision: h < H and w < W
            return (r.NextInt(height - h + 1), r.NextInt(width - w + 1), h, w);
        }
        return null;
    }

    /// <inheritdoc/>
    public void Apply(Batch batch)
    {
        if (Probability == 0) return;
        var x = batch.Images;
        int c = x.C, h = x.H, w = x.W, plane = h * w;
        for (int n = 0; n < batch.Count; n++)
        {
            if (Rectangle(batch.Epoch, batch.Indices[n], h, w, batch.Seed) is not { } rectangle) continue;
            var (top, left, rh, rw) = rectangle;
            for (int ch = 0; ch < c; ch++)
                for (int y = top; y < top + rh; y++)
                    x.Data.AsSpan((n * c + ch) * plane + y * w + left, rw).Fill(Value);
        }
    }
}
