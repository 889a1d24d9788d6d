using System.Numerics.Tensors;
using OctaveML.Threading;

namespace OctaveML.Bench;

/// <summary>
/// Main-memory bandwidth as the STREAM triad counts it (a = b + s * c: bytes read plus bytes written, no
/// write-allocate), on arrays well beyond the caches, split over the engine's threads: the memory roof of
/// <see cref="Roofline"/>.
/// </summary>
public static class MemoryBandwidth
{
    /// <summary>Floats per array: 3 x 32 MB, beyond any L3 of these machines.</summary>
    private const int Floats = 8 << 20;

    /// <summary>GB/s on <paramref name="threads"/> threads: median of <paramref name="samples"/> samples of 4 triads each.</summary>
    public static double Gbps(int threads, int samples = 5)
    {
        var a = new float[Floats];
        var b = new float[Floats];
        var c = new float[Floats];
        Array.Fill(b, 1f);
        Array.Fill(c, 2f);
        int chunk = (Floats + threads - 1) / threads;
        void Triad() => Parallelism.For(threads, t =>
        {
            int start = t * chunk, length = Math.Min(chunk, Floats - start);
            TensorPrimitives.MultiplyAdd(c.AsSpan(start, length), 0.5f, b.AsSpan(start, length), a.AsSpan(start, length));
        }, threads);
        const int passes = 4;
        double bytes = 3.0 * sizeof(float) * Floats * passes;
        double seconds = Figure.MedianSeconds(() => { for (int p = 0; p < passes; p++) Triad(); }, samples, warmup: 1);
        return bytes / seconds / 1e9;
    }
}
