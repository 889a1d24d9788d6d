namespace OctaveML.Data;

/// <summary>
/// A per-batch transform the <see cref="DataLoader"/> runs on its prefetch thread after filling a
/// batch (augmentation, normalisation). Implementations must be deterministic given the batch
/// (<see cref="Batch.Seed"/>, <see cref="Batch.Epoch"/> and <see cref="Batch.Indices"/> key any randomness) and must not keep
/// state between calls, so a resumed run reproduces the same batches.
/// </summary>
public interface IBatchTransform
{
    /// <summary>Transforms <paramref name="batch"/>'s images in place (or sets <see cref="Batch.Images"/> to a new tensor).</summary>
    void Apply(Batch batch);
}
