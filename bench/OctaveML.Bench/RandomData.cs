namespace OctaveML.Bench;

/// <summary>The benches' random operands.</summary>
internal static class RandomData
{
    /// <summary><paramref name="count"/> floats uniform in [-1, 1) from <paramref name="rng"/>.</summary>
    public static float[] Uniform(Random rng, long count)
    {
        var x = new float[count];
        for (long i = 0; i < count; i++) x[i] = (float)(rng.NextDouble() * 2 - 1);
        return x;
    }
}
