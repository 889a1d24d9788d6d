namespace OctaveML.Bench;

/// <summary>
/// The PyTorch peer could not give its figures. <see cref="Unavailable"/> means it cannot run at all here
/// (no interpreter, no torch, no script or reference models), so calling it again is pointless.
/// </summary>
public sealed class PeerException : Exception
{
    /// <summary>A failure described in one line; <paramref name="details"/> holds the peer's whole stderr, if any.</summary>
    public PeerException(string message, bool unavailable, string details = "") : base(message)
    {
        Unavailable = unavailable;
        Details = details;
    }

    /// <summary>True when the peer cannot run on this machine (not a failure of one configuration).</summary>
    public bool Unavailable { get; }

    /// <summary>The peer's standard error, for debugging.</summary>
    public string Details { get; }
}
