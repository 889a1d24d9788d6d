using System.CommandLine;
using System.CommandLine.Help;
using System.Globalization;
using Microsoft.ML.OnnxRuntime;
using OctaveML.Models;
using OctaveML.Onnx;
using OctaveML.Tensors;
using OctaveML.Threading;

namespace OctaveML.Bench;

/// <summary>
/// The <c>onnx</c> suite: inference where ML.NET users score, ONNX Runtime on each model's exported graph,
/// beside our engine's inference of the same model, in this process, runs alternating (medians); for an
/// octave model also its alpha 0 twin, and <c>ort_oct_speedup_PLAINKEY</c> (ONNX Runtime's alpha 0 time over
/// its alpha 0.5 time). Usage: <c>OctaveML.Bench onnx [--model M ... as models] [--threads N] [--runs R] [--ort-profile DIR]</c>;
/// with --ort-profile each model's graph as ONNX Runtime optimised it and its profile go into DIR, and the time per
/// operator type is printed (after the timed runs, in their own sessions: profiling slows a run).
/// </summary>
public static class OnnxSuite
{
    /// <summary>The suite's name on the command line.</summary>
    public const string Name = "onnx";

    /// <summary>Alternating runs of each model when --runs is not given.</summary>
    public const int DefaultRuns = 9;

    /// <summary>Parses <paramref name="args"/> and runs; returns the process exit code.</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        var options = new ModelOptions();
        var runs = new Option<int>("--runs") { Description = "alternating runs of each model, the median is reported", DefaultValueFactory = _ => DefaultRuns };
        var command = new Command(Name, "ONNX Runtime on the exported models beside our engine's inference, and the octave speedup in ONNX Runtime.");
        foreach (var o in options.All) command.Options.Add(o);
        command.Options.Add(runs);
        var profile = new Option<string?>("--ort-profile") { Description = "a folder for each model's ONNX Runtime profile and optimised graph; prints the time per operator type" };
        command.Options.Add(profile);
        command.Options.Add(new HelpOption());
        command.SetAction(r =>
        {
            var settings = options.Read(r);
            settings.Validate();
            int n = r.GetValue(runs);
            if (n < 1) throw new ArgumentException($"--runs: got {n}; expected at least 1.");
            Machine.PrintHeader(output, settings.Threads);
            Compare(settings.Configs(), settings.Threads, n, output, r.GetValue(profile));
            return 0;
        });
        return SuiteCommand.Invoke(command, args, output, error);
    }

    /// <summary>
    /// The configurations grouped as they are measured: an octave model with its alpha 0 twin (whether or not the
    /// twin is listed), a plain model alone when its octave partner is not listed; each group once.
    /// </summary>
    public static IReadOnlyList<IReadOnlyList<BenchModel>> Groups(IReadOnlyList<BenchModel> configs)
    {
        var groups = new List<IReadOnlyList<BenchModel>>();
        var seen = new HashSet<BenchModel>();
        foreach (var c in configs)
        {
            if (seen.Contains(c)) continue;
            if (c.Alpha != 0)
            {
                var twin = c with { Alpha = 0 };
                groups.Add([c, twin]);
                seen.Add(c);
                seen.Add(twin);
            }
            else if (!configs.Any(o => o.Alpha == 0.5 && o with { Alpha = 0 } == c))
            {
                groups.Add([c]);
                seen.Add(c);
            }
        }
        return groups;
    }

    /// <summary>
    /// Measures every group of <paramref name="configs"/> on <paramref name="threads"/> threads, <paramref name="runs"/> alternating
    /// runs each; with <paramref name="profileDir"/>, also profiles each model into it (its optimised graph too, unless
    /// <paramref name="optimizedGraphs"/> is false) and prints each pair's convolution-only speedup.
    /// </summary>
    public static void Compare(IReadOnlyList<BenchModel> configs, int threads, int runs, TextWriter output, string? profileDir = null, bool optimizedGraphs = true)
    {
        Parallelism.Threads = threads;
        foreach (var group in Groups(configs))
        {
            CompareGroup(group, threads, runs, output);
            if (profileDir is null) continue;
            var profiles = group.Select(m => OrtProfile.Write(m, threads, profileDir, output, optimizedGraphs)).ToArray();
            if (group.Count == 2) OrtProfile.PrintBound(group[0].Key, profiles[0], group[1].Key, profiles[1], output);
        }
    }

    private static void CompareGroup(IReadOnlyList<BenchModel> group, int threads, int runs, TextWriter output)
    {
        var inv = CultureInfo.InvariantCulture;
        var sides = group.Select(m => new Side(m, threads)).ToArray();
        try
        {
            // Every run times each model in ONNX Runtime and in our engine; the order turns each run so no side always follows another.
            var actions = sides.SelectMany(s => new[] { s.Ort, s.Engine }).ToArray();
            var times = actions.Select(_ => new double[runs]).ToArray();
            foreach (var a in actions) { a(); a(); }
            for (int r = 0; r < runs; r++)
                for (int i = 0; i < actions.Length; i++)
                {
                    int k = (i + r) % actions.Length;
                    times[k][r] = Figure.Seconds(actions[k]);
                }
            for (int s = 0; s < sides.Length; s++)
            {
                var m = sides[s].Model;
                double ort = Figure.Median(times[2 * s]), engine = Figure.Median(times[2 * s + 1]);
                output.WriteLine(string.Create(inv,
                    $"{m.Key}: inference, batch {m.BatchSize}, {threads} threads, median of {runs} alternating runs: ONNX Runtime {OrtEnv.Instance().GetVersionString()} {m.BatchSize / ort:0.0} img/s, OctaveML {m.BatchSize / engine:0.0} img/s"));
                Figure.Print(output, $"infer_imgs_per_s_onnxruntime_{m.Key}", m.BatchSize / ort);
                Figure.Print(output, $"infer_ratio_vs_onnxruntime_{m.Key}", ort / engine);
            }
            if (sides.Length == 2)
            {
                // Per-run ratios: a run's two ONNX Runtime timings are seconds apart and see the same load.
                double ortSpeedup = Figure.Median([.. times[2].Zip(times[0], (plain, oct) => plain / oct)]);
                double engineSpeedup = Figure.Median([.. times[3].Zip(times[1], (plain, oct) => plain / oct)]);
                output.WriteLine(string.Create(inv,
                    $"{group[1].Key} / {group[0].Key}: inference alpha 0 time over alpha {group[0].Alpha}: ONNX Runtime {ortSpeedup:0.###}, OctaveML {engineSpeedup:0.###}"));
                Figure.Print(output, $"ort_oct_speedup_{group[1].Key}", ortSpeedup);
            }
        }
        finally
        {
            foreach (var s in sides) s.Dispose();
        }
    }

    /// <summary>One model in our engine (eval mode) and its exported graph in an ONNX Runtime session, each with a batch of random images.</summary>
    internal sealed class Side : IDisposable
    {
        private readonly ImageClassifier _model;
        private readonly Tensor _x;
        private readonly InferenceSession _session;
        private readonly OrtValue _input;
        private readonly RunOptions _runOptions = new();

        public Side(BenchModel m, int threads)
        {
            Model = m;
            _model = m.Create();
            _model.Eval();
            _x = Images(m);
            using var sessionOptions = SessionOptionsFor(threads);
            _session = new InferenceSession(Export(_model, m), sessionOptions);
            _input = Pixels(_x, m);
        }

        /// <summary>The batch every side infers: standard normal pixels from seed 0.</summary>
        public static Tensor Images(BenchModel m)
        {
            var x = new Tensor(m.BatchSize, BenchModel.InChannels, m.Size, m.Size);
            new Rng(0).FillNormal(x.Data, 0, 1);
            return x;
        }

        /// <summary>The exported graph of <paramref name="model"/> as ML.NET would score it.</summary>
        public static byte[] Export(ImageClassifier model, BenchModel m) => OnnxExport.ToOnnx(model, new OnnxExportOptions
        {
            ClassNames = Enumerable.Range(0, BenchModel.Classes).Select(i => $"c{i}").ToArray(),
            Height = m.Size, Width = m.Size, Mean = [123.675f, 116.28f, 103.53f], Std = [58.395f, 57.12f, 57.375f],
        });

        /// <summary>The session settings every ONNX Runtime side uses: all graph optimisations, one sequential stream.</summary>
        public static SessionOptions SessionOptionsFor(int threads) => new()
        {
            IntraOpNumThreads = threads, InterOpNumThreads = 1, ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };

        /// <summary>ML.NET's ExtractPixels gives [C, H, W] pixels of 0..255 a row; the graph normalises them.</summary>
        public static OrtValue Pixels(Tensor x, BenchModel m)
        {
            var pixels = new float[x.Data.Length];
            for (int i = 0; i < pixels.Length; i++) pixels[i] = Math.Clamp(127.5f + 58f * x.Data[i], 0, 255);
            return OrtValue.CreateTensorValueFromMemory(pixels, [m.BatchSize, (long)BenchModel.InChannels * m.Size * m.Size]);
        }

        public BenchModel Model { get; }

        public void Ort()
        {
            using var r = _session.Run(_runOptions, ["Features"], [_input], ["Score"]);
        }

        public void Engine() => _model.Forward(_x);

        public void Dispose()
        {
            _input.Dispose();
            _session.Dispose();
            _runOptions.Dispose();
        }
    }
}
