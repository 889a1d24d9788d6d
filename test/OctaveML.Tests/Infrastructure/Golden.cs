using OctaveML.Interop;
using OctaveML.Tensors;

namespace OctaveML.Tests.Infrastructure;

/// <summary>Golden tensors written by tools/golden/*.py from Debian's python3-torch.</summary>
public static class Golden
{
    private static readonly Dictionary<string, Dictionary<string, Tensor>> Cache = new();

    /// <summary>The folder holding the golden files (copied next to the test assembly).</summary>
    public static string Folder => Path.Combine(AppContext.BaseDirectory, "golden");

    /// <summary>All tensors of test/golden/<paramref name="name"/>.safetensors.</summary>
    public static Dictionary<string, Tensor> Load(string name)
    {
        lock (Cache)
        {
            if (!Cache.TryGetValue(name, out var d))
            {
                string path = Path.Combine(Folder, name + ".safetensors");
                if (!File.Exists(path))
                    throw new FileNotFoundException($"golden file {path} is missing; regenerate with /usr/bin/python3 tools/golden/make_all.py", path);
                Cache[name] = d = SafeTensors.Load(path);
            }
            return d;
        }
    }

    /// <summary>The cases stored in a golden file: the distinct prefixes before the first '/'.</summary>
    public static IEnumerable<string> Cases(string name) =>
        Load(name).Keys.Select(k => k.Split('/')[0]).Distinct();
}

/// <summary>Tolerance checks used by every golden and gradient test.</summary>
public static class Close
{
    /// <summary>
    /// Asserts |actual - expected| &lt;= max(rtol * |expected|, atol) element-wise (1e-4 relative,
    /// 1e-5 absolute floor by default) and equal shapes; reports the worst element.
    /// </summary>
    public static void Assert(Tensor actual, Tensor expected, string what, float rtol = 1e-4f, float atol = 1e-5f)
    {
        actual.Length.Should().Be(expected.Length, $"{what}: {actual.ShapeString} vs expected {expected.ShapeString}");
        if (actual.Rank == expected.Rank)
            actual.ShapeString.Should().Be(expected.ShapeString, what);
        Assert(actual.Data, expected.Data, what, rtol, atol);
    }

    /// <summary>Span form of <see cref="Assert(Tensor, Tensor, string, float, float)"/>.</summary>
    public static void Assert(ReadOnlySpan<float> actual, ReadOnlySpan<float> expected, string what, float rtol = 1e-4f, float atol = 1e-5f)
    {
        actual.Length.Should().Be(expected.Length, what);
        int worst = -1; double worstExcess = 0;
        for (int i = 0; i < actual.Length; i++)
        {
            double a = actual[i], e = expected[i];
            double tol = Math.Max(rtol * Math.Abs(e), atol);
            double excess = double.IsNaN(a) || double.IsNaN(e) ? double.PositiveInfinity : Math.Abs(a - e) - tol;
            if (excess > worstExcess || (worst < 0 && excess > 0)) { worst = i; worstExcess = excess; }
        }
        if (worst >= 0)
            throw new Xunit.Sdk.XunitException($"{what}: element {worst} is {actual[worst]}, expected {expected[worst]} (tolerance max({rtol}*|e|, {atol}))");
    }
}
