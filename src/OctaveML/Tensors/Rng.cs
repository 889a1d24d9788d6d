using System.Numerics;
using System.Runtime.CompilerServices;

namespace OctaveML.Tensors;

/// <summary>
/// The state of an <see cref="Rng"/>: four 64-bit words, enough to continue the exact sequence
/// (saved in checkpoints). An all-zero state is invalid for xoshiro256**.
/// </summary>
public readonly record struct RngState(ulong S0, ulong S1, ulong S2, ulong S3)
{
    /// <summary>The state as 64 hex digits (S0 first), the form checkpoints store.</summary>
    public override string ToString() => $"{S0:x16}{S1:x16}{S2:x16}{S3:x16}";

    /// <summary>Parses the 64-hex-digit form written by <see cref="ToString"/>.</summary>
    public static RngState Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length != 64 || !text.All(Uri.IsHexDigit))
            throw new FormatException($"'{text}' is not an RNG state: expected 64 hex digits.");
        ulong W(int i) => ulong.Parse(text.AsSpan(i * 16, 16), System.Globalization.NumberStyles.HexNumber);
        return new RngState(W(0), W(1), W(2), W(3));
    }
}

/// <summary>
/// A small, fast, deterministic random number generator (xoshiro256**, seeded by SplitMix64) with
/// an exposed, serialisable state. The same seed gives the same sequence on every machine and
/// runtime, unlike <see cref="System.Random"/>, so weight init, shuffling and augmentation are
/// reproducible and resumable. Not thread-safe: give each thread or stream its own instance
/// (<see cref="Derive"/> makes independent streams from a seed and keys such as epoch and index).
/// </summary>
public sealed class Rng
{
    private ulong _s0, _s1, _s2, _s3;

    /// <summary>A generator seeded with <paramref name="seed"/> (any value, including 0).</summary>
    public Rng(ulong seed)
    {
        ulong x = seed;
        _s0 = SplitMix64(ref x); _s1 = SplitMix64(ref x); _s2 = SplitMix64(ref x); _s3 = SplitMix64(ref x);
    }

    /// <summary>A generator continuing from <paramref name="state"/>.</summary>
    public Rng(RngState state) => State = state;

    /// <summary>
    /// An independent stream for (<paramref name="seed"/>, <paramref name="keys"/>), e.g.
    /// <c>Rng.Derive(seed, epoch, sampleIndex)</c>: a pure function of its arguments, so any item can
    /// be reproduced without replaying the items before it (what exact resume needs).
    /// </summary>
    public static Rng Derive(ulong seed, params ReadOnlySpan<ulong> keys) => new(Hash(seed, keys));

    /// <summary>Mixes a seed and keys into one well-distributed 64-bit value (SplitMix64 chaining).</summary>
    public static ulong Hash(ulong seed, params ReadOnlySpan<ulong> keys)
    {
        ulong x = seed;
        ulong h = SplitMix64(ref x);
        foreach (ulong k in keys)
        {
            ulong y = h ^ (k * 0xD6E8FEB86659FD93UL + 0x9E3779B97F4A7C15UL);
            h = SplitMix64(ref y);
        }
        return h;
    }

    /// <summary>The current state; setting it continues the sequence from that point.</summary>
    public RngState State
    {
        get => new(_s0, _s1, _s2, _s3);
        set
        {
            if ((value.S0 | value.S1 | value.S2 | value.S3) == 0)
                throw new ArgumentException("an all-zero state is not valid for xoshiro256**.", nameof(value));
            (_s0, _s1, _s2, _s3) = (value.S0, value.S1, value.S2, value.S3);
        }
    }

    /// <summary>The next 64 random bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong NextUInt64()
    {
        ulong result = BitOperations.RotateLeft(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0; _s3 ^= _s1; _s1 ^= _s2; _s0 ^= _s3;
        _s2 ^= t;
        _s3 = BitOperations.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>The next 32 random bits (the high half, the better bits).</summary>
    public uint NextUInt32() => (uint)(NextUInt64() >> 32);

    /// <summary>A uniform integer in [0, <paramref name="maxExclusive"/>), without modulo bias (Lemire's method).</summary>
    public int NextInt(int maxExclusive)
    {
        if (maxExclusive <= 0)
            throw new ArgumentOutOfRangeException(nameof(maxExclusive), maxExclusive, "maxExclusive must be positive.");
        uint n = (uint)maxExclusive;
        ulong m = (ulong)NextUInt32() * n;
        if ((uint)m < n)
        {
            uint threshold = (uint)(-(int)n) % n; // 2^32 mod n
            while ((uint)m < threshold) m = (ulong)NextUInt32() * n;
        }
        return (int)(m >> 32);
    }

    /// <summary>A uniform integer in [<paramref name="minInclusive"/>, <paramref name="maxExclusive"/>).</summary>
    public int NextInt(int minInclusive, int maxExclusive)
    {
        if (maxExclusive <= minInclusive)
            throw new ArgumentOutOfRangeException(nameof(maxExclusive), maxExclusive, $"maxExclusive must be greater than minInclusive ({minInclusive}).");
        return minInclusive + NextInt(maxExclusive - minInclusive);
    }

    /// <summary>A uniform float in [0, 1) with 24 random bits.</summary>
    public float NextSingle() => (NextUInt64() >> 40) * (1.0f / (1 << 24));

    /// <summary>A uniform double in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>True with probability <paramref name="p"/>.</summary>
    public bool NextBool(double p = 0.5) => NextDouble() < p;

    /// <summary>
    /// A standard normal sample (Box-Muller; uses two uniforms and keeps no cached second value,
    /// so the state alone determines the sequence).
    /// </summary>
    public double NextGaussian()
    {
        double u1 = 1.0 - NextDouble(); // (0, 1]: log is finite
        double u2 = NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    /// <summary>Fills <paramref name="span"/> with uniform values in [<paramref name="low"/>, <paramref name="high"/>).</summary>
    public void FillUniform(Span<float> span, float low, float high)
    {
        float scale = high - low;
        for (int i = 0; i < span.Length; i++) span[i] = low + scale * NextSingle();
    }

    /// <summary>Fills <paramref name="span"/> with normal values of the given mean and standard deviation.</summary>
    public void FillNormal(Span<float> span, float mean, float std)
    {
        for (int i = 0; i < span.Length; i++) span[i] = (float)(mean + std * NextGaussian());
    }

    /// <summary>Shuffles <paramref name="items"/> in place (Fisher-Yates, from the end).</summary>
    public void Shuffle<T>(Span<T> items)
    {
        for (int i = items.Length - 1; i > 0; i--)
        {
            int j = NextInt(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    /// <summary>A random permutation of 0..<paramref name="count"/>-1.</summary>
    public int[] Permutation(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var p = new int[count];
        for (int i = 0; i < count; i++) p[i] = i;
        Shuffle<int>(p);
        return p;
    }

    /// <summary>
    /// This generator seen as a <see cref="System.Random"/> (sharing its state), for APIs that take one,
    /// such as the layers' initialisers: their draws then follow this fully specified sequence.
    /// </summary>
    public Random AsRandom() => new RngRandom(this);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong SplitMix64(ref ulong x)
    {
        ulong z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}

/// <summary>A <see cref="Random"/> whose every draw comes from an <see cref="Rng"/>.</summary>
internal sealed class RngRandom(Rng rng) : Random
{
    public override int Next() => (int)(rng.NextUInt64() >> 33); // [0, int.MaxValue)
    public override int Next(int maxValue)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxValue);
        return maxValue == 0 ? 0 : rng.NextInt(maxValue);
    }
    public override int Next(int minValue, int maxValue)
    {
        if (minValue > maxValue) throw new ArgumentOutOfRangeException(nameof(minValue), minValue, $"minValue must not exceed maxValue ({maxValue}).");
        return minValue == maxValue ? minValue : (int)(minValue + (long)(rng.NextDouble() * ((long)maxValue - minValue)));
    }
    public override long NextInt64() => (long)(rng.NextUInt64() >> 1) % long.MaxValue;
    public override long NextInt64(long maxValue) => NextInt64(0, maxValue);
    public override long NextInt64(long minValue, long maxValue)
    {
        if (minValue > maxValue) throw new ArgumentOutOfRangeException(nameof(minValue), minValue, $"minValue must not exceed maxValue ({maxValue}).");
        ulong range = (ulong)(maxValue - minValue);
        if (range == 0) return minValue;
        // Rejection sampling keeps it unbiased.
        ulong limit = ulong.MaxValue - ulong.MaxValue % range;
        ulong r;
        do r = rng.NextUInt64(); while (r >= limit);
        return minValue + (long)(r % range);
    }
    public override double NextDouble() => rng.NextDouble();
    public override float NextSingle() => rng.NextSingle();
    protected override double Sample() => rng.NextDouble();
    public override void NextBytes(byte[] buffer) => NextBytes(buffer.AsSpan());
    public override void NextBytes(Span<byte> buffer)
    {
        for (int i = 0; i < buffer.Length; i++) buffer[i] = (byte)(rng.NextUInt64() >> 56);
    }
}
