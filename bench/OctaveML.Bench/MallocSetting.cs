using System.Diagnostics;

namespace OctaveML.Bench;

/// <summary>
/// An allocator setting a peer's process runs with, through its environment: glibc's malloc as it is,
/// glibc tuned to keep freed memory (no mmap for large blocks, no trimming, a large top pad: eager
/// frameworks free and re-allocate every activation each step), or Debian's jemalloc preloaded.
/// </summary>
/// <param name="Name">The name in figures: default_malloc, glibc_tuned, jemalloc.</param>
/// <param name="Description">What it sets, for the output.</param>
/// <param name="Environment">Variables set in the peer's process (every variable of <see cref="Cleared"/> is unset first).</param>
public sealed record MallocSetting(string Name, string Description, IReadOnlyDictionary<string, string> Environment)
{
    /// <summary>Debian's libjemalloc2.</summary>
    public const string DebianJemalloc = "/usr/lib/x86_64-linux-gnu/libjemalloc.so.2";

    /// <summary>
    /// Variables any of the settings sets, and MALLOC_MMAP_THRESHOLD_ (which the TorchSharp backend also takes as the
    /// user's own choice); unset in the child unless the setting sets them, so "default" is glibc untouched.
    /// </summary>
    public static IReadOnlyList<string> Cleared { get; } = ["MALLOC_MMAP_MAX_", "MALLOC_TRIM_THRESHOLD_", "MALLOC_TOP_PAD_", "MALLOC_MMAP_THRESHOLD_", "LD_PRELOAD"];

    /// <summary>glibc's malloc untouched.</summary>
    public static MallocSetting Default { get; } = new("default_malloc", "glibc malloc untouched", new Dictionary<string, string>());

    /// <summary>glibc's malloc keeping freed memory: MALLOC_MMAP_MAX_=0 MALLOC_TRIM_THRESHOLD_=64 GiB MALLOC_TOP_PAD_=256 MiB.</summary>
    public static MallocSetting GlibcTuned { get; } = new("glibc_tuned", "MALLOC_MMAP_MAX_=0 MALLOC_TRIM_THRESHOLD_=68719476736 MALLOC_TOP_PAD_=268435456",
        new Dictionary<string, string>
        {
            ["MALLOC_MMAP_MAX_"] = "0",
            ["MALLOC_TRIM_THRESHOLD_"] = "68719476736",
            ["MALLOC_TOP_PAD_"] = "268435456",
        });

    /// <summary>jemalloc from <paramref name="library"/>, preloaded.</summary>
    public static MallocSetting Jemalloc(string library = DebianJemalloc) =>
        new("jemalloc", $"LD_PRELOAD={library}", new Dictionary<string, string> { ["LD_PRELOAD"] = library });

    /// <summary>The names <see cref="Parse"/> takes.</summary>
    public static IReadOnlyList<string> Names { get; } = ["default_malloc", "glibc_tuned", "jemalloc"];

    /// <summary>
    /// The settings named in <paramref name="names"/>; throws an <see cref="ArgumentException"/> naming an
    /// unknown one, or jemalloc when <paramref name="jemallocLibrary"/> does not exist (Debian: apt install libjemalloc2).
    /// </summary>
    public static IReadOnlyList<MallocSetting> Parse(IEnumerable<string> names, string jemallocLibrary = DebianJemalloc)
    {
        var settings = new List<MallocSetting>();
        foreach (var name in names)
        {
            settings.Add(name switch
            {
                "default_malloc" => Default,
                "glibc_tuned" => GlibcTuned,
                "jemalloc" when File.Exists(jemallocLibrary) => Jemalloc(jemallocLibrary),
                "jemalloc" => throw new ArgumentException($"--mallocs: jemalloc needs {jemallocLibrary}, which does not exist (Debian: apt install libjemalloc2)."),
                _ => throw new ArgumentException($"--mallocs: got {name}; expected {string.Join(", ", Names)}."),
            });
        }
        if (settings.Count == 0) throw new ArgumentException($"--mallocs: name at least one of {string.Join(", ", Names)}.");
        return settings;
    }

    /// <summary>Sets this allocator in <paramref name="psi"/>'s environment.</summary>
    public void Apply(ProcessStartInfo psi)
    {
        foreach (var v in Cleared) psi.Environment.Remove(v);
        foreach (var (k, v) in Environment) psi.Environment[k] = v;
    }
}
