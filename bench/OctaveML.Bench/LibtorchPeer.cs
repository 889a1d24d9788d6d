using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using OctaveML.TorchSharp;
using OctaveML.Training;

namespace OctaveML.Bench;

/// <summary>
/// libtorch 2.10 (TorchSharp-cpu) through OctaveML's TorchSharp backend: the peer a C# user would pick. It
/// is this program re-run as <c>models --child --backend torchsharp ...</c>, which trains a
/// <see cref="TorchSharpBackend"/> session of the same spec from the engine's seed 0 weights with the
/// peers' recipe (SGD, learning rate 0.01, momentum 0.9, no weight decay) on the same random batch
/// (<see cref="ModelTrainingStep.RandomBatch"/>), and prints its step times, CPU time and page faults per
/// step, loss and peak memory.
/// <para>
/// The frame's allocator settings map onto the backend's own <see cref="TorchSharpBackend.TuneAllocator"/>
/// (which a C# user gets by default) and the child's environment:
/// <c>default_malloc</c>: glibc untouched, TuneAllocator off, MALLOC_* and LD_PRELOAD unset;
/// <c>glibc_tuned</c>: TuneAllocator on with those variables unset, so that the backend applies its mallopt
/// tuning (M_MMAP_MAX 0, M_TRIM_THRESHOLD 2^31 - 1, M_TOP_PAD 256 MB: the frame's MALLOC_* values, with trimming
/// at 2 GiB of free top instead of 64 GiB, which these heaps never reach) and the run fails if it did not;
/// <c>jemalloc</c>: preloaded, TuneAllocator off (the backend also stands back under LD_PRELOAD).
/// </para>
/// </summary>
/// <param name="program">How to start the bench program the child runs (null: this one, <see cref="ModelBenchmark.BenchProcess"/>).</param>
public sealed class LibtorchPeer(Func<ProcessStartInfo>? program = null) : IModelPeer
{
    /// <summary>The child's <see cref="ModelBenchmark.BackendOption"/> value.</summary>
    public const string Backend = "torchsharp";

    /// <summary>The name failures go by in error lines.</summary>
    public const string Label = "libtorch peer";

    /// <summary>What the backend's session description says when it tuned glibc's malloc.</summary>
    private const string TunedMark = "glibc malloc tuned";

    /// <summary>The recipe of every side: SGD, learning rate 0.01, momentum 0.9, no weight decay (as <see cref="ModelTrainingStep"/> and model_peer.py).</summary>
    public static TrainerOptions Recipe { get; } = new() { Optimizer = OptimizerKind.Sgd, LearningRate = 0.01, Momentum = 0.9, WeightDecay = 0 };

    /// <inheritdoc/>
    public string Name => "libtorch";

    /// <summary>glibc_tuned: the backend tunes glibc's malloc unless told not to.</summary>
    public MallocSetting DefaultMalloc => MallocSetting.GlibcTuned;

    /// <summary>Whether the child's backend tunes glibc's malloc itself under <paramref name="malloc"/> (only glibc_tuned).</summary>
    public static bool TunesAllocator(MallocSetting malloc) => malloc.Name == MallocSetting.GlibcTuned.Name;

    /// <summary>The environment the child runs with under <paramref name="malloc"/>: glibc_tuned's variables are left unset, the backend's mallopt does that.</summary>
    public static MallocSetting ProcessEnvironment(MallocSetting malloc) => TunesAllocator(malloc) ? MallocSetting.Default : malloc;

    /// <inheritdoc/>
    public string DescribeMalloc(MallocSetting malloc) => malloc.Name switch
    {
        "default_malloc" => "glibc malloc untouched, TuneAllocator = false",
        "glibc_tuned" => "the backend's own mallopt, its default TuneAllocator = true: M_MMAP_MAX 0, no trimming, M_TOP_PAD 256 MB",
        _ => $"{malloc.Description}, TuneAllocator = false",
    };

    /// <inheritdoc/>
    public PeerRun Run(BenchModel model, MallocSetting malloc, int threads, int steps, int warmup)
    {
        bool tune = TunesAllocator(malloc);
        var psi = (program ?? ModelBenchmark.BenchProcess)();
        foreach (var a in ModelBenchmark.ChildArguments(model, threads, steps, warmup)) psi.ArgumentList.Add(a);
        psi.ArgumentList.Add(ModelBenchmark.BackendOption);
        psi.ArgumentList.Add(Backend);
        if (!tune) psi.ArgumentList.Add(ModelBenchmark.UntunedMallocOption);
        psi.RedirectStandardOutput = true;
        psi.RedirectStandardError = true;
        psi.UseShellExecute = false;
        ProcessEnvironment(malloc).Apply(psi);
        Process p;
        try
        {
            p = Process.Start(psi) ?? throw new PeerException($"could not start {psi.FileName}.", unavailable: true, peer: Label);
        }
        catch (Win32Exception e)
        {
            throw new PeerException($"could not start {psi.FileName}: {e.Message}.", unavailable: true, peer: Label);
        }
        string stdout, stderr;
        using (p)
        {
            var err = p.StandardError.ReadToEndAsync();
            stdout = p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            stderr = err.Result;
            if (p.ExitCode == ModelsSuite.PeerUnavailable)
                throw new PeerException(FirstLine(stderr, "libtorch cannot run here."), unavailable: true, stderr + stdout, Label);
            if (p.ExitCode != 0)
                throw new PeerException($"the libtorch child ({model.Key}, {malloc.Name}) exited with {p.ExitCode}: {FirstLine(stderr, "no message")}", false, stderr, Label);
        }
        var (version, details) = Description(stdout);
        if (tune != details.Contains(TunedMark, StringComparison.Ordinal))
            throw new PeerException(tune
                ? $"libtorch ran with {malloc.Name} but the backend did not tune glibc's malloc ({details}); not glibc?"
                : $"libtorch ran with {malloc.Name} but the backend tuned glibc's malloc ({details}).", false, stdout + stderr, Label);
        return new PeerRun(Name, malloc, version, Figure.Value(stdout, "train_step_s"), Figure.Value(stdout, "infer_step_s"), Figure.Value(stdout, "peak_rss_mb"),
            Figure.TryValue(stdout, "train_cpu_s"), Figure.TryValue(stdout, "train_minor_faults"), details);
    }

    /// <summary>The version and the rest of the child's "backend libtorch 2.10.0 on cpu, 2 threads, ..." line (empty when there is none).</summary>
    public static (string Version, string Details) Description(string childOutput)
    {
        const string prefix = "backend libtorch ";
        var line = childOutput.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal));
        if (line is null) return ("", "");
        string rest = line[prefix.Length..];
        int space = rest.IndexOf(' ', StringComparison.Ordinal);
        return space < 0 ? (rest, "") : (rest[..space], rest[(space + 1)..].Trim());
    }

    /// <summary>
    /// The child side: trains <paramref name="m"/> in a TorchSharp session in this process and writes "key value"
    /// lines (<c>backend</c>, <c>train_step_s</c>, <c>train_cpu_s</c>, <c>train_minor_faults</c>, <c>infer_step_s</c>,
    /// <c>loss</c> of the last step, <c>train_peak_rss_mb</c>, <c>peak_rss_mb</c>, <c>parameters_mb</c>).
    /// </summary>
    public static void Measure(BenchModel m, int threads, int steps, int warmup, bool tuneAllocator, TextWriter output)
    {
        var backend = new TorchSharpBackend(threads: threads) { TuneAllocator = tuneAllocator };
        using var session = backend.CreateSession(m.Spec, Recipe, seed: 0);
        var (x, labels) = ModelTrainingStep.RandomBatch(m.BatchSize, BenchModel.InChannels, m.Size, BenchModel.Classes);
        float loss = float.NaN;
        void Step()
        {
            loss = session.ForwardBackward(x, labels).Loss;
            session.Step(Recipe.LearningRate);
        }
        for (int i = 0; i < warmup; i++) Step();
        var spent = default(ProcessCounters);
        var times = new double[steps];
        for (int i = 0; i < steps; i++)
        {
            var start = ProcessCounters.Now();
            times[i] = Figure.Seconds(Step);
            spent += ProcessCounters.Now().Since(start);
        }
        double trainRss = Process.GetCurrentProcess().PeakWorkingSet64 / 1e6;
        double infer = Figure.MedianSeconds(() => session.Predict(x), steps, warmup);
        var inv = CultureInfo.InvariantCulture;
        output.WriteLine($"backend {session.Description}");
        output.WriteLine(string.Create(inv, $"train_step_s {Figure.Median(times)}"));
        output.WriteLine(string.Create(inv, $"train_cpu_s {spent.CpuSeconds / steps}"));
        output.WriteLine(string.Create(inv, $"train_minor_faults {(double)spent.MinorFaults / steps}"));
        output.WriteLine(string.Create(inv, $"infer_step_s {infer}"));
        output.WriteLine(string.Create(inv, $"loss {loss}"));
        output.WriteLine(string.Create(inv, $"train_peak_rss_mb {trainRss}"));
        output.WriteLine(string.Create(inv, $"peak_rss_mb {Process.GetCurrentProcess().PeakWorkingSet64 / 1e6}"));
        output.WriteLine(string.Create(inv, $"parameters_mb {session.Gradients().Values.Sum(g => (long)g.Length) * 4 / 1e6}"));
    }

    /// <summary>
    /// Why libtorch cannot run in this process, when <paramref name="e"/> (from creating the session) says so: its
    /// native libraries did not load, or the backend refused this machine. Null for any other failure.
    /// </summary>
    public static string? Unavailable(Exception e)
    {
        for (Exception? x = e; x is not null; x = x.InnerException)
        {
            if (x is TorchSharpBackendException) return OneLine(x.Message);
            if (x is DllNotFoundException or BadImageFormatException or EntryPointNotFoundException
                || (x is TypeInitializationException t && t.TypeName.StartsWith("TorchSharp", StringComparison.Ordinal))
                || (x is NotSupportedException && x.TargetSite?.DeclaringType?.Namespace?.StartsWith("TorchSharp", StringComparison.Ordinal) == true))
            {
                var innermost = x;
                while (innermost.InnerException is not null) innermost = innermost.InnerException;
                // TorchSharp's message goes on with its whole loader trace (on standard output too): its first line
                // says what failed, and loading the library again says why (the loader's own error).
                string why = NativeLoadError() is { } error ? $"; {error}" : "";
                return $"TorchSharp could not load libtorch: {FirstLine(innermost.Message, innermost.GetType().Name).TrimEnd('.')}{why} " +
                    "(the bench references TorchSharp-cpu 0.107; on Debian 12 its build output needs tools/build/LibTorchSharpLoadFix.targets).";
            }
        }
        return null;
    }

    /// <summary>The loader's error for TorchSharp's native library next to this program, or null when there is no such file or it loads.</summary>
    private static string? NativeLoadError()
    {
        string file = OperatingSystem.IsWindows() ? "LibTorchSharp.dll" : OperatingSystem.IsMacOS() ? "libLibTorchSharp.dylib" : "libLibTorchSharp.so";
        string[] candidates = [Path.Combine(AppContext.BaseDirectory, file), Path.Combine(AppContext.BaseDirectory, "runtimes", RuntimeInformation.RuntimeIdentifier, "native", file)];
        string? path = candidates.FirstOrDefault(File.Exists);
        if (path is null) return $"{file} is not in {AppContext.BaseDirectory}";
        try
        {
            NativeLibrary.Free(NativeLibrary.Load(path));
            return null;
        }
        catch (Exception e) when (e is DllNotFoundException or BadImageFormatException)
        {
            // .NET's message: "Unable to load shared library '...' or one of its dependencies. ... LD_DEBUG environment variable:"
            // then the loader's own error on the last line.
            string last = e.Message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? e.GetType().Name;
            return $"{file} does not load: {last}";
        }
    }

    private static string OneLine(string message) =>
        string.Join(' ', message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    private static string FirstLine(string text, string none) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? none;
}
