namespace OctaveML.Bench;

/// <summary>
/// A peer (the PyTorch script, or libtorch through TorchSharp) could not give its figures. <see cref="Unavailable"/>
/// means it cannot run at all here (no interpreter, no torch, no script or reference models, no loadable
/// libtorch), so calling it again is pointless.
/// </summary>
public sealed class PeerException : Exception
{
    /// <summary>A failure described in one line; <paramref name="details"/> holds the peer's whole stderr, if any.</summary>
    public PeerException(string message, bool unavailable, string details = "", string peer = "PyTorch peer") : base(message)
    {
        Unavailable = unavailable;
        Details = details;
        Peer = peer;
    }

    /// <summary>Which peer failed, as error lines name it ("PyTorch peer", "libtorch").</summary>
    public string Peer { get; }

    /// <summary>True when the peer cannot run on this machine (not a failure of one configuration).</summary>
    public bool Unavailable { get; }

    /// <summary>The peer's standard error, for debugging.</summary>
    public string Details { get; }
}
