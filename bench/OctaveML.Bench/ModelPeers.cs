namespace OctaveML.Bench;

/// <summary>The peers the <c>speed</c> suite can compare against, by name.</summary>
public static class ModelPeers
{
    /// <summary>The names <see cref="Parse"/> takes.</summary>
    public static IReadOnlyList<string> Names { get; } = ["pytorch"];

    /// <summary>The peers named in <paramref name="names"/>; throws an <see cref="ArgumentException"/> naming an unknown one.</summary>
    public static IReadOnlyList<IModelPeer> Parse(IEnumerable<string> names, string python)
    {
        var peers = new List<IModelPeer>();
        foreach (var name in names)
        {
            peers.Add(name switch
            {
                "pytorch" => new PyTorchPeer(python),
                _ => throw new ArgumentException($"--peers: got {name}; expected {string.Join(", ", Names)}."),
            });
        }
        if (peers.Count == 0) throw new ArgumentException($"--peers: name at least one of {string.Join(", ", Names)}.");
        return peers;
    }
}
