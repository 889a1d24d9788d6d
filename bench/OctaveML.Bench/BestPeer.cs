namespace OctaveML.Bench;

/// <summary>The fastest of the peers' runs, each peer under each allocator setting, against our training step.</summary>
public static class BestPeer
{
    /// <summary>The run with the shortest training step, or null when there is none.</summary>
    public static PeerRun? Fastest(IEnumerable<PeerRun> runs) => runs.MinBy(r => r.TrainStepSeconds);

    /// <summary><c>train_ratio_vs_...</c>: the peer's training step time over ours (our images/s over the peer's; above 1 = we are faster).</summary>
    public static double TrainRatio(PeerRun peer, double ourTrainSeconds)
    {
        if (!(ourTrainSeconds > 0)) throw new ArgumentOutOfRangeException(nameof(ourTrainSeconds), ourTrainSeconds, "our step time must be positive.");
        return peer.TrainStepSeconds / ourTrainSeconds;
    }

    /// <summary>
    /// The median over rounds of the peer's step time over ours in the same round (rounds alternate the two sides'
    /// processes, so each ratio compares runs seconds apart under the same load).
    /// </summary>
    public static double MedianRatio(IReadOnlyList<double> peerSeconds, IReadOnlyList<double> ourSeconds)
    {
        if (peerSeconds.Count != ourSeconds.Count || peerSeconds.Count == 0)
            throw new ArgumentException($"{peerSeconds.Count} peer and {ourSeconds.Count} OctaveML step times; expected as many of each, at least one.");
        if (ourSeconds.Any(s => !(s > 0))) throw new ArgumentOutOfRangeException(nameof(ourSeconds), "our step times must be positive.");
        return Figure.Median([.. peerSeconds.Zip(ourSeconds, (p, o) => p / o)]);
    }
}
