using System.Globalization;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using OctaveML.Blas;

namespace OctaveML.Bench;

/// <summary>
/// What a figure was measured on: the CPU as /proc/cpuinfo names it, whether it has AVX-512F, and the
/// vector width the engine's GEMM picked (on an AVX-512 CPU it must be 512).
/// </summary>
/// <param name="CpuModel">"model name" of the first processor ("unknown" when not given).</param>
/// <param name="Family">"cpu family" (AMD: 25 Zen 3/4, 26 Zen 5), or null.</param>
/// <param name="ModelNumber">"model", or null.</param>
/// <param name="HasAvx512F">The "flags" line lists avx512f.</param>
/// <param name="HasAvx2Fma">The "flags" line lists avx2 and fma.</param>
public sealed record Machine(string CpuModel, int? Family, int? ModelNumber, bool HasAvx512F, bool HasAvx2Fma)
{
    /// <summary>This machine, from /proc/cpuinfo (an unknown CPU elsewhere).</summary>
    public static Machine Current { get; } = Parse(File.Exists("/proc/cpuinfo") ? File.ReadAllText("/proc/cpuinfo") : "");

    /// <summary>The first processor's entry of a /proc/cpuinfo text.</summary>
    public static Machine Parse(string cpuinfo)
    {
        string? name = null, flags = null;
        int? family = null, model = null;
        foreach (var raw in cpuinfo.Split('\n'))
        {
            if (raw.Trim().Length == 0 && name is not null) break; // end of the first processor
            int colon = raw.IndexOf(':');
            if (colon < 0) continue;
            string key = raw[..colon].Trim(), value = raw[(colon + 1)..].Trim();
            switch (key)
            {
                case "model name": name ??= value; break;
                case "cpu family": family ??= Int(value); break;
                case "model": model ??= Int(value); break;
                case "flags": flags ??= value; break;
            }
        }
        var set = (flags ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
        return new Machine(name ?? "unknown", family, model, set.Contains("avx512f"), set.Contains("avx2") && set.Contains("fma"));
    }

    /// <summary>Bits of the vectors the GEMM runs on: 512 (AVX-512 kernels), 256 (AVX2) or 128 (portable).</summary>
    public static int GemmVectorBits => Gemm.BestKernel switch
    {
        GemmKernel.Avx512 => 512,
        GemmKernel.Avx2 => 256,
        _ => 128,
    };

    /// <summary>The widest vectors the CPU has, by its flags.</summary>
    public int CpuVectorBits => HasAvx512F ? 512 : HasAvx2Fma ? 256 : 128;

    /// <summary>
    /// Null when the GEMM uses the CPU's widest vectors, else why not worth a look (e.g. AVX-512 disabled
    /// by DOTNET_EnableAVX512F=0, or a runtime that does not accelerate Vector512).
    /// </summary>
    public string? WidthWarning(int gemmBits) => gemmBits >= CpuVectorBits ? null
        : string.Create(CultureInfo.InvariantCulture,
            $"warning: the CPU has {CpuVectorBits}-bit vectors but the GEMM picked {gemmBits}-bit ones (Vector512.IsHardwareAccelerated {Vector512.IsHardwareAccelerated}, Avx512F.IsSupported {Avx512F.IsSupported}; DOTNET_EnableAVX512F set?)");

    /// <summary>The one-line description: model name, family and model numbers, processors.</summary>
    public string Describe(int processors) => string.Create(CultureInfo.InvariantCulture,
        $"{CpuModel} (cpu family {Family?.ToString(CultureInfo.InvariantCulture) ?? "?"}, model {ModelNumber?.ToString(CultureInfo.InvariantCulture) ?? "?"}; {(HasAvx512F ? "avx512f" : HasAvx2Fma ? "avx2 fma, no avx512f" : "no avx2")}), {processors} processors");

    /// <summary>Busy and total jiffies of all processors from a /proc/stat text's first line (busy: user, nice, system, irq, softirq), or null.</summary>
    public static (long Busy, long Total)? CpuJiffies(string stat)
    {
        var f = stat.Split('\n', 2)[0].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (f.Length < 8 || f[0] != "cpu") return null;
        var v = new long[f.Length - 1];
        for (int i = 0; i < v.Length; i++)
            if (!long.TryParse(f[i + 1], NumberStyles.Integer, CultureInfo.InvariantCulture, out v[i])) return null;
        long busy = v[0] + v[1] + v[2] + v[5] + v[6]; // idle (3) and iowait (4) are not work; steal, guest are left out
        return (busy, busy + v[3] + v[4]);
    }

    /// <summary>
    /// Processors' worth of work that other processes did over <paramref name="window"/> (from /proc/stat, less this
    /// process's own processor time; null elsewhere). Linux's autogroup scheduling gives another session its share
    /// whatever its niceness, so a background job slows every figure.
    /// </summary>
    public static double? OthersBusyProcessors(TimeSpan window)
    {
        const string Stat = "/proc/stat";
        if (!File.Exists(Stat) || CpuJiffies(File.ReadAllText(Stat)) is not { } a) return null;
        var self = System.Diagnostics.Process.GetCurrentProcess();
        TimeSpan own0 = self.TotalProcessorTime;
        long t0 = System.Diagnostics.Stopwatch.GetTimestamp();
        Thread.Sleep(window);
        if (CpuJiffies(File.ReadAllText(Stat)) is not { } b || b.Total <= a.Total) return null;
        self.Refresh();
        double own = (self.TotalProcessorTime - own0).TotalSeconds / System.Diagnostics.Stopwatch.GetElapsedTime(t0).TotalSeconds;
        return Math.Max(0, (double)(b.Busy - a.Busy) / (b.Total - a.Total) * Environment.ProcessorCount - own);
    }

    /// <summary>
    /// The header of the model suites: <c>cpu_model ...</c>, what other processes keep busy (<c>machine_others_busy_processors</c>,
    /// on Linux), the GEMM kernel and vector width, and the FMA peak on <paramref name="threads"/> threads measured in this
    /// process (median of 5 samples). Returns the peak in GFLOP/s.
    /// </summary>
    public static double PrintHeader(TextWriter output, int threads)
    {
        var m = Current;
        output.WriteLine($"cpu_model {m.Describe(Environment.ProcessorCount)}");
        if (OthersBusyProcessors(TimeSpan.FromMilliseconds(500)) is { } others)
        {
            Figure.Print(output, "machine_others_busy_processors", Math.Round(others, 2));
            if (others >= 0.25) output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"warning: other processes kept {others:0.##} of the {Environment.ProcessorCount} processors busy just before this run: the figures read low unless they yield to it"));
        }
        int bits = GemmVectorBits;
        output.WriteLine($"gemm_kernel {Gemm.BestKernel}: Vector{bits}; fma peak loop on {FmaPeak.Isa}");
        if (m.WidthWarning(bits) is { } warning) output.WriteLine(warning);
        Figure.Print(output, "vector_width_bits", bits);
        FmaPeak.Gflops(threads);
        double peak = Figure.Median([.. Enumerable.Range(0, 5).Select(_ => FmaPeak.Gflops(threads))]);
        Figure.Print(output, $"fma_peak_gflops_{threads}t", peak);
        return peak;
    }

    private static int? Int(string s) => int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) ? v : null;
}
