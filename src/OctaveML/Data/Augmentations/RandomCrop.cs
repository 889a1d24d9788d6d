using OctaveML.Tensors;

namespace OctaveML.Data.Augmentations;

/// <summary>
/// torchvision's <c>RandomCrop(size, padding)</c> with the crop as large as the input: pads each
/// image by <see cref="Padding"/> pixels of <see cref="Fill"/> on every side, then cuts a window of
/// the original size at a random offset, so the image shifts by up to Padding pixels each way.
/// The offset of a sample is drawn from (Seed, epoch, dataset index): deterministic and
/// independent of batch composition and thread count.
/// </summary>
public sealed class RandomCrop : IBatchTransform
{
    /// <summary>A shift of up to <paramref name="padding"/> pixels each way, padding with <paramref name="fill"/> (0 = black before normalisation).</summary>
    public RandomCrop(int padding, ulong seed = 0, float fill = 0f)
    {
        if (padding < 0) throw new ArgumentOutOfRangeException(nameof(padding), padding, "padding must be 0 or more.");
        Padding = padding; Seed = seed; Fill = fill;
    }

    /// <summary>Pixels of padding on each side (the largest shift).</summary>
    public int Padding { get; }
    /// <summary>The randomness seed.</summary>
    public ulong Seed { get; }
    /// <summary>The value of padded pixels.</summary>
    public float Fill { get; }

    /// <summary>
    /// The crop offset (dy, dx) in [-Padding, Padding] of dataset image <paramref name="index"/> in
    /// <paramref name="epoch"/>, under a loader seeded with <paramref name="loaderSeed"/>.
    /// </summary>
    public (int Dy, int Dx) Offset(int epoch, int index, ulong loaderSeed = 0)
    {
        var r = Rng.Derive(Seed, 0xC40F_0000UL, loaderSeed, (ulong)epoch, (ulong)index);
        // torchvision draws top then left in [0, 2 * padding]; shift by -padding to get the move.
        int top = r.NextInt(2 * Padding + 1), left = r.NextInt(2 * Padding + 1);
        return (top - Padding, left - Padding);
    }

    /// <inheritdoc/>
    public void Apply(Batch batch)
    {
        if (Padding == 0) return;
        Tensor x = batch.Images;
        int c = x.C, h = x.H, w = x.W, plane = h * w;
        var tmp = new float[plane];
        for (int n = 0; n < batch.Count; n++)
        {
            var (dy, dx) = Offset(batch.Epoch, batch.Indices[n], batch.Seed);
            for (int ch = 0; ch < c; ch++)
            {
                var p = x.Data.AsSpan((n * c + ch) * plane, plane);
                p.CopyTo(tmp);
                Shift(tmp, p, h, w, dy, dx, Fill);
            }
        }
    }

    /// <summary>dst[y, x] = src[y + dy, x + dx], or fill outside src.</summary>
    internal static void Shift(ReadOnlySpan<float> src, Span<float> dst, int h, int w, int dy, int dx, float fill)
    {
        int x0 = Math.Clamp(-dx, 0, w), x1 = Math.Clamp(w - dx, 0, w);
        for (int y = 0; y < h; y++)
        {
            var row = dst.Slice(y * w, w);
            int sy = y + dy;
            if (sy < 0 || sy >= h || x0 >= x1) { row.Fill(fill); continue; }
            row[..x0].Fill(fill);
            src.Slice(sy * w + x0 + dx, x1 - x0).CopyTo(row[x0..x1]);
            row[x1..].Fill(fill);
        }
    }
}
