namespace OctaveML.TorchSharp;

/// <summary>libtorch cannot train here as asked: the device is absent, or this CPU computes wrong gradients.</summary>
public sealed class TorchSharpBackendException : InvalidOperationException
{
    /// <summary>The error with its explanation.</summary>
    public TorchSharpBackendException(string message) : base(message) { }
}
