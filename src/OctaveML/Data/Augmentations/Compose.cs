namespace OctaveML.Data.Augmentations;

/// <summary>Runs several batch transforms in order (torchvision's <c>Compose</c>).</summary>
public sealed class Compose : IBatchTransform
{
    private readonly IBatchTransform[] _transforms;

    /// <summary>The transforms, applied first to last.</summary>
    public Compose(params IBatchTransform[] transforms)
    {
        ArgumentNullException.ThrowIfNull(transforms);
        for (int i = 0; i < transforms.Length; i++)
            if (transforms[i] is null) throw new ArgumentNullException(nameof(transforms), $"transforms[{i}] is null.");
        _transforms = (IBatchTransform[])transforms.Clone();
    }

    /// <summary>The transforms, in order.</summary>
    public IReadOnlyList<IBatchTransform> Transforms => _transforms;

    /// <inheritdoc/>
    public void Apply(Batch batch)
    {
        foreach (var t in _transforms) t.Apply(batch);
    }
}
