using OctaveML.Nn;
using OctaveML.Tensors;

namespace OctaveML.Tests.Nn;

/// <summary>Central finite differences of loss = sum(y_h * g_h) + sum(y_l * g_l) for an octave layer.</summary>
internal static class OctaveGradCheck
{
    public static Tensor Random(Random rng, params int[] shape)
    {
        var t = new Tensor(shape);
        for (int i = 0; i < t.Length; i++) t.Data[i] = (float)(rng.NextDouble() * 2 - 1);
        return t;
    }

    private static double Loss(OctaveTensor y, OctaveTensor g)
    {
        double s = 0;
        for (int i = 0; i < y.High.Length; i++) s += (double)y.High.Data[i] * g.High.Data[i];
        if (y.Low is not null)
            for (int i = 0; i < y.Low.Length; i++) s += (double)y.Low.Data[i] * g.Low!.Data[i];
        return s;
    }

    /// <summary>
    /// Checks the analytic gradients of both inputs and every parameter against finite differences at
    /// <paramref name="samples"/> positions of each tensor. |analytic - numeric| &lt;= tol * (1 + |numeric|).
    /// </summary>
    public static void Check(IOctaveLayer layer, Module module, OctaveTensor x, Random rng, float eps, double tol, int samples = 12)
    {
        var y = layer.Forward(x);
        var g = new OctaveTensor(Random(rng, y.High.ShapeArray()), y.Low is null ? null : Random(rng, y.Low.ShapeArray()));
        module.ZeroGrad();
        var dx = layer.Backward(g);

        var targets = new List<(string Name, Tensor Value, Tensor Grad)> { ("x_h", x.High, dx.High) };
        if (x.Low is not null) targets.Add(("x_l", x.Low, dx.Low!));
        foreach (var (name, p) in module.NamedParameters()) targets.Add((name, p.Value, p.Grad.Clone()));

        foreach (var (name, value, grad) in targets)
        {
            if (value.Length == 0) continue;
            for (int s = 0; s < samples; s++)
            {
                int i = rng.Next(value.Length);
                float orig = value.Data[i];
                value.Data[i] = orig + eps; double lp = Loss(layer.Forward(x), g);
                value.Data[i] = orig - eps; double lm = Loss(layer.Forward(x), g);
                value.Data[i] = orig;
                double numeric = (lp - lm) / (2 * eps);
                double analytic = grad.Data[i];
                Math.Abs(analytic - numeric).Should().BeLessThanOrEqualTo(tol * (1 + Math.Abs(numeric)),
                    $"d loss / d {name}[{i}]: analytic {analytic}, numeric {numeric}");
            }
        }
    }
}
