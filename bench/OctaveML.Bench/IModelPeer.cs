namespace OctaveML.Bench;

/// <summary>A framework the model benchmarks compare against: it measures a configuration in its own process.</summary>
public interface IModelPeer
{
    /// <summary>The name in figures (pytorch, libtorch).</summary>
    string Name { get; }

    /// <summary>
    /// Measures <paramref name="model"/> with <paramref name="threads"/> threads (median of <paramref name="steps"/>
    /// after <paramref name="warmup"/>) in a process running with <paramref name="malloc"/>. Throws a
    /// <see cref="PeerException"/> when it cannot.
    /// </summary>
    PeerRun Run(BenchModel model, MallocSetting malloc, int threads, int steps, int warmup);
}
