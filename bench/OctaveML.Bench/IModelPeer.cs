namespace OctaveML.Bench;

/// <summary>A framework the model benchmarks compare against: it measures a configuration in its own process.</summary>
public interface IModelPeer
{
    /// <summary>The name in figures (pytorch, libtorch).</summary>
    string Name { get; }

    /// <summary>
    /// The allocator setting a user of this framework gets without asking for one: the setting the <c>models</c>
    /// suite measures it under (the <c>speed</c> suite measures every setting).
    /// </summary>
    MallocSetting DefaultMalloc { get; }

    /// <summary>What <paramref name="malloc"/> means in this peer's process, for the output (by default the setting's own description).</summary>
    string DescribeMalloc(MallocSetting malloc) => malloc.Description;

    /// <summary>
    /// Measures <paramref name="model"/> with <paramref name="threads"/> threads (median of <paramref name="steps"/>
    /// after <paramref name="warmup"/>) in a process running with <paramref name="malloc"/>. Throws a
    /// <see cref="PeerException"/> when it cannot (<see cref="PeerException.Unavailable"/>: not on this machine at all).
    /// </summary>
    PeerRun Run(BenchModel model, MallocSetting malloc, int threads, int steps, int warmup);
}
