using OctaveML.Tensors;
namespace OctaveML.Data.Augmentations;

/// <summary>
/// torchvision's <c>RandomHorizontalFlip(p)</c>: mirrors an image left-right with probability
/// <see cref="Probability"/>. Whether a sample flips is drawn from (Seed, the loader's seed, epoch,
/// dataset index).
/// </summary>
public sealed class RandomHorizontalFlip : IBatchTransform
{
    /// <summary>Flips with probability <paramref name="probability"/> (default 0.5).</summary>
    public RandomHorizontalFlip(double probability = 0.5, ulong seed = 0)
    {
        if (!(probability >= 0 && probability <= 1))
            throw new ArgumentOutOfRangeException(nameof(probability), probability, "probability must be in [0, 1].");
        Probability = probability; Seed = seed;
    }

    /// <summary>The chance of a flip.</summary>
    public double Probability { get; }
    /// <summary>The randomness seed.</summary>
    public ulong Seed { get; }

    /// <summary>Whether dataset image <paramref name="index"/> is flipped in <paramref name="epoch"/> under a loader seeded with <paramref name="loaderSeed"/>.</summary>
    public bool Flips(int epoch, int index, ulong loaderSeed = 0) =>
        Rng.Derive(Seed, 0xF11B_0000UL, loaderSeed, (ulong)epoch, (ulong)index).NextDouble() < Probability;

    /// <inheritdoc/>
    public void Apply(Batch batch)
    {
        var x = batch.Images;
        int c = x.C, h = x.H, w = x.W;
        for (int n = 0; n < batch.Count; n++)
        {
            if (!Flips(batch.Epoch, batch.Indices[n], batch.Seed)) continue;
            for (int row = 0; row < c * h; row++)
                x.Data.AsSpan((n * c * h + row) * w, w).Reverse();
        }
    }
}
