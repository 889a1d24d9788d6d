namespace OctaveML.Bench;

/// <summary>The peers the <c>models</c> and <c>speed</c> suites compare against, by name.</summary>
public static class ModelPeers
{
    /// <summary>The names <see cref="Parse"/> takes, all of them measured by default: Debian's PyTorch and libtorch through the TorchSharp backend.</summary>
    public static IReadOnlyList<string> Names { get; } = ["pytorch", "libtorch"];

    /// <summary>The peers named in <paramref name="names"/>; throws an <see cref="ArgumentException"/> naming an unknown one.</summary>
    public static IReadOnlyList<IModelPeer> Parse(IEnumerable<string> names, string python)
    {
        var peers = new List<IModelPeer>();
        foreach (var name in names)
        {
            if (peers.Any(p => p.Name == name)) throw new ArgumentException($"--peers: {name} is named twice.");
            peers.Add(name switch
            {
                "pytorch" => new PyTorchPeer(python),
                "libtorch" => new LibtorchPeer(),
                _ => throw new ArgumentException($"--peers: got {name}; expected {string.Join(", ", Names)}."),
            });
        }
        if (peers.Count == 0) throw new ArgumentException($"--peers: name at least one of {string.Join(", ", Names)}.");
        return peers;
    }
}
