namespace OctaveML.Nn;

/// <summary>
/// Training-mode batch norm got one value per channel (batch x height x width = 1), so the batch
/// variance is undefined: a batch of one image whose feature map has shrunk to 1x1 (PyTorch refuses it too).
/// </summary>
public sealed class BatchTooSmallException : ArgumentException
{
    /// <summary>The error for a BN input of shape <paramref name="inputShape"/>.</summary>
    public BatchTooSmallException(string inputShape)
        : base($"training-mode batch norm got input {inputShape}: one value per channel, and the batch variance needs more than one. " +
               "Use batches of at least 2 images, or larger images.", "input")
    {
        InputShape = inputShape;
    }

    /// <summary>The offending BN input shape, e.g. [1, 2048, 1, 1].</summary>
    public string InputShape { get; }
}
