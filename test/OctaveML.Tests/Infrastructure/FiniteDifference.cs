namespace OctaveML.Tests.Infrastructure;

/// <summary>
/// Central finite-difference checks of analytic gradients: with a fixed random upstream gradient w,
/// L(x) = sum(w * f(x)) (in double), and dL/dx_i ~ (L(x + e_i h) - L(x - e_i h)) / 2h on a sample of
/// indices. f runs in float32, so h is around 1e-2..1e-3 and the tolerance about 1e-2.
/// </summary>
public static class FiniteDifference
{
    /// <summary>Checks <paramref name="analytic"/> (dL/dx) against finite differences of f at x.</summary>
    public static void Check(Func<float[], float[]> f, float[] x, float[] upstream, ReadOnlySpan<float> analytic, string what,
        float h = 1e-2f, double tol = 1e-2, int samples = 24, int seed = 7)
    {
        analytic.Length.Should().Be(x.Length, what);
        var rng = new Random(seed);
        var indices = x.Length <= samples ? Enumerable.Range(0, x.Length).ToArray()
            : Enumerable.Range(0, samples).Select(_ => rng.Next(x.Length)).ToArray();
        foreach (int i in indices)
        {
            float keep = x[i];
            x[i] = keep + h;
            double lp = Loss(f(x), upstream);
            x[i] = keep - h;
            double lm = Loss(f(x), upstream);
            x[i] = keep;
            double numeric = (lp - lm) / (2.0 * h);
            double err = Math.Abs(numeric - analytic[i]);
            if (err > tol * (1 + Math.Abs(numeric)))
                throw new Xunit.Sdk.XunitException($"{what}: d/dx[{i}] analytic {analytic[i]}, numeric {numeric} (error {err:g3})");
        }
    }

    /// <summary>sum(w * y) in double.</summary>
    public static double Loss(float[] y, float[] w)
    {
        y.Length.Should().Be(w.Length);
        double s = 0;
        for (int i = 0; i < y.Length; i++) s += (double)w[i] * y[i];
        return s;
    }

    /// <summary>Random normal floats (Box-Muller) from a seeded generator.</summary>
    public static float[] RandomNormal(int n, int seed, float scale = 1f, float shift = 0f)
    {
        var rng = new Random(seed);
        var a = new float[n];
        for (int i = 0; i < n; i++)
        {
            double u1 = 1.0 - rng.NextDouble(), u2 = rng.NextDouble();
            a[i] = (float)(Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2)) * scale + shift;
        }
        return a;
    }
}
