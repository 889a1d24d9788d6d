namespace OctaveML;

/// <summary>What the trainer does with an image file it cannot use (missing, not an image, truncated).</summary>
public enum InvalidImageHandling
{
    /// <summary>Throw an <see cref="InvalidImageException"/> naming every such file (default).</summary>
    Throw,

    /// <summary>Train on the other rows; every skipped file is reported (MetricsCallback and <see cref="TrainingReport.SkippedImages"/>).</summary>
    Skip,
}
