using System.Globalization;
using System.Text.Json;
using Microsoft.ML.OnnxRuntime;

namespace OctaveML.Bench;

/// <summary>
/// One model's exported graph in a profiling ONNX Runtime session: writes the graph as ONNX Runtime optimised it
/// (<c>KEY.optimized.onnx</c>) and its JSON profile into a folder, and prints the share of the node time per
/// operator type, to see which nodes (fused or not) an octave graph spends its inference on.
/// </summary>
public static class OrtProfile
{
    /// <summary>Profiled runs after the untimed ones.</summary>
    public const int Runs = 5;

    /// <summary>
    /// Profiles <paramref name="m"/> on <paramref name="threads"/> threads into <paramref name="dir"/> (with the optimised
    /// graph unless <paramref name="optimizedGraph"/> is false: ResNet-50's is 94 MB), prints the table and returns the
    /// node milliseconds a run per operator type.
    /// </summary>
    public static IReadOnlyDictionary<string, double> Write(BenchModel m, int threads, string dir, TextWriter output, bool optimizedGraph = true)
    {
        Directory.CreateDirectory(dir);
        var model = m.Create();
        model.Eval();
        using var options = OnnxSuite.Side.SessionOptionsFor(threads);
        if (optimizedGraph) options.OptimizedModelFilePath = Path.Combine(dir, m.Key + ".optimized.onnx");
        options.ProfileOutputPathPrefix = Path.Combine(dir, m.Key); // before EnableProfiling, which passes it to ONNX Runtime
        options.EnableProfiling = true;
        string profile;
        using (var session = new InferenceSession(OnnxSuite.Side.Export(model, m), options))
        using (var input = OnnxSuite.Side.Pixels(OnnxSuite.Side.Images(m), m))
        using (var runOptions = new RunOptions())
        {
            for (int r = 0; r < Runs + 2; r++)
            {
                using var _ = session.Run(runOptions, ["Features"], [input], ["Score"]);
            }
            profile = session.EndProfiling();
        }
        return Print(m.Key, profile, output);
    }

    /// <summary>
    /// Sums the profile's node events (the last <see cref="Runs"/> runs) by operator type, prints them largest first and
    /// returns the milliseconds a run per operator type.
    /// </summary>
    public static IReadOnlyDictionary<string, double> Print(string key, string profilePath, TextWriter output)
    {
        var inv = CultureInfo.InvariantCulture;
        using var doc = JsonDocument.Parse(File.ReadAllText(profilePath));
        var runs = doc.RootElement.EnumerateArray().Where(e => e.GetProperty("cat").GetString() == "Session" && e.GetProperty("name").GetString() == "model_run")
            .Select(e => (Start: e.GetProperty("ts").GetInt64(), End: e.GetProperty("ts").GetInt64() + e.GetProperty("dur").GetInt64())).ToArray();
        var timed = runs.Skip(Math.Max(0, runs.Length - Runs)).ToArray();
        var byOp = new Dictionary<string, (double Us, int Count)>();
        foreach (var e in doc.RootElement.EnumerateArray())
        {
            if (e.GetProperty("cat").GetString() != "Node" || !e.GetProperty("name").GetString()!.EndsWith("_kernel_time", StringComparison.Ordinal)) continue;
            long ts = e.GetProperty("ts").GetInt64();
            if (!timed.Any(r => ts >= r.Start && ts <= r.End)) continue;
            string op = e.GetProperty("args").GetProperty("op_name").GetString()!;
            var (us, count) = byOp.GetValueOrDefault(op);
            byOp[op] = (us + e.GetProperty("dur").GetInt64(), count + 1);
        }
        double total = byOp.Values.Sum(v => v.Us), run = timed.Average(r => (double)(r.End - r.Start));
        output.WriteLine(string.Create(inv, $"{key}: ONNX Runtime profile ({profilePath}), {timed.Length} runs, {run / 1000:0.0} ms a run, nodes {total / timed.Length / run:P0} of it:"));
        foreach (var (op, (us, count)) in byOp.OrderByDescending(kv => kv.Value.Us))
            output.WriteLine(string.Create(inv, $"  {op,-28} {us / total,7:P1}  {us / timed.Length / 1000,8:0.00} ms  {count / timed.Length,4} nodes"));
        return byOp.ToDictionary(kv => kv.Key, kv => kv.Value.Us / timed.Length / 1000);
    }

    /// <summary>
    /// Prints what bounds ONNX Runtime's octave speedup: the alpha 0 model's convolution time over the octave model's
    /// (the speedup if every other node were free) and each model's time in other nodes (pooling, upsampling, adds).
    /// </summary>
    public static void PrintBound(string octKey, IReadOnlyDictionary<string, double> oct, string plainKey, IReadOnlyDictionary<string, double> plain, TextWriter output)
    {
        const string Conv = "Conv";
        double octConv = oct.GetValueOrDefault(Conv), plainConv = plain.GetValueOrDefault(Conv);
        if (!(octConv > 0 && plainConv > 0)) return;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{plainKey} / {octKey}: ONNX Runtime convolutions {plainConv:0.0} / {octConv:0.0} ms = {plainConv / octConv:0.###} (the speedup if the other nodes were free); other nodes {plain.Values.Sum() - plainConv:0.0} / {oct.Values.Sum() - octConv:0.0} ms"));
        Figure.Print(output, $"ort_conv_oct_speedup_{plainKey}", plainConv / octConv);
    }
}
