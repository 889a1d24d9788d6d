namespace OctaveML.Data;

/// <summary>
/// A small, fully specified pseudo-random generator (xoshiro256**, seeded through SplitMix64), so
/// that shuffles, splits and augmentations are the same on every .NET version and machine
/// (System.Random's seeded sequence is not a documented contract). Not thread-safe: derive one
/// generator per stream with <see cref="Derive(ulong, ulong[])"/> instead of sharing.
/// </summary>
public sealed class SeededRandom
{
    private ulong _s0, _s1, _s2, _s3;

    /// <summary>A generator whose whole sequence is fixed by <paramref name="seed"/>.</summary>
    public SeededRandom(ulong seed)
    {
        ulong x = seed;
        _s0 = SplitMix(ref x); _s1 = SplitMix(ref x); _s2 = SplitMix(ref x); _s3 = SplitMix(ref x);
    }

    /// <summary>
    /// A generator for the stream named by <paramref name="seed"/> and <paramref name="keys"/>
    /// (e.g. seed, epoch, sample index): independent streams without shared state.
    /// </summary>
    public static SeededRandom Derive(ulong seed, params ulong[] keys) => new(Hash(seed, keys));

    /// <summary>Mixes <paramref name="seed"/> and <paramref name="keys"/> into one well-spread 64-bit value.</summary>
    public static ulong Hash(ulong seed, params ulong[] keys)
    {
        ulong h = seed;
        ulong x = h;
        h = SplitMix(ref x);
        foreach (ulong k in keys)
        {
            x = h ^ (k * 0xD1B54A32D192ED03UL);
            h = SplitMix(ref x);
        }
        return h;
    }

    /// <summary>The next 64 random bits.</summary>
    public ulong NextUInt64()
    {
        ulong result = RotateLeft(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0; _s3 ^= _s1; _s1 ^= _s2; _s0 ^= _s3;
        _s2 ^= t;
        _s3 = RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>A uniform integer in [0, <paramref name="maxExclusive"/>), without modulo bias (Lemire's method).</summary>
    public int NextInt(int maxExclusive)
    {
        if (maxExclusive <= 0) throw new ArgumentOutOfRangeException(nameof(maxExclusive), maxExclusive, "maxExclusive must be positive.");
        ulong n = (ulong)maxExclusive;
        while (true)
        {
            ulong r = NextUInt64() >> 32;        // 32 uniform bits
            ulong m = r * n;
            ulong low = m & 0xFFFFFFFFUL;
            if (low >= n || low >= (0x1_0000_0000UL - n) % n)
                return (int)(m >> 32);
        }
    }

    /// <summary>A uniform integer in [<paramref name="minInclusive"/>, <paramref name="maxExclusive"/>).</summary>
    public int NextInt(int minInclusive, int maxExclusive)
    {
        if (maxExclusive <= minInclusive)
            throw new ArgumentOutOfRangeException(nameof(maxExclusive), maxExclusive, $"maxExclusive must exceed minInclusive ({minInclusive}).");
        return minInclusive + NextInt(maxExclusive - minInclusive);
    }

    /// <summary>A uniform double in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Shuffles <paramref name="items"/> in place (Fisher-Yates, from the end).</summary>
    public void Shuffle<T>(Span<T> items)
    {
        for (int i = items.Length - 1; i > 0; i--)
        {
            int j = NextInt(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    /// <summary>A random permutation of 0 .. <paramref name="count"/>-1.</summary>
    public int[] Permutation(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var p = new int[count];
        for (int i = 0; i < count; i++) p[i] = i;
        Shuffle(p.AsSpan());
        return p;
    }

    private static ulong SplitMix(ref ulong x)
    {
        ulong z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    private static ulong RotateLeft(ulong x, int k) => (x << k) | (x >> (64 - k));
}
