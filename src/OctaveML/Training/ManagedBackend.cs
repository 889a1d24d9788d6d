using OctaveML.Threading;
using OctaveML.Models;

namespace OctaveML.Training;

/// <summary>
/// The default backend: OctaveML's own engine (explicit backward, SIMD kernels) in this process.
/// Its thread count is its own: sessions run their kernels with it, whatever the process-wide
/// <see cref="Parallelism.Threads"/> says.
/// </summary>
public sealed class ManagedBackend : ITrainingBackend
{
    /// <summary>A backend whose sessions use <paramref name="threads"/> kernel threads (null: the process-wide <see cref="Parallelism.Threads"/>).</summary>
    public ManagedBackend(int? threads = null)
    {
        if (threads is < 1) throw new ArgumentOutOfRangeException(nameof(threads), threads, "threads must be at least 1 (or null for the process-wide count).");
        Threads = threads;
    }

    /// <summary>The backend with the process-wide thread count.</summary>
    public static ManagedBackend Default { get; } = new();

    /// <summary>Kernel threads of its sessions; null follows <see cref="Parallelism.Threads"/>.</summary>
    public int? Threads { get; }

    /// <inheritdoc/>
    public string Name => "managed";

    /// <inheritdoc/>
    public ITrainingSession CreateSession(ModelSpec spec, TrainerOptions options, int seed)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return new ManagedSession(spec.CreateModel(seed), options, Threads);
    }

    /// <summary>A session training <paramref name="model"/> in place (any <see cref="ImageClassifier"/>, with or without a spec).</summary>
    public ManagedSession CreateSession(ImageClassifier model, TrainerOptions options) => new(model, options, Threads);

    /// <inheritdoc/>
    public override string ToString() => Threads is { } t ? $"managed ({t} threads)" : "managed";
}
