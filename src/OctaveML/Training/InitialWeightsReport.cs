using OctaveML.Interop;

namespace OctaveML.Training;

/// <summary>What <see cref="InitialWeights.Load"/> did.</summary>
/// <param name="Path">The weights file.</param>
/// <param name="Format">Its format, as detected from its content.</param>
/// <param name="Loaded">The state-dict names copied into the model, in the model's order.</param>
/// <param name="Ignored">Names in the file that were skipped as bookkeeping, not weights (BN's num_batches_tracked counters).</param>
/// <param name="HeadReinitialized">
/// True when the file's classifier head has another class count: the model kept its own freshly
/// initialised head (<see cref="Models.ImageClassifier.HeadName"/>.weight and .bias).
/// </param>
/// <param name="FileNumClasses">The class count of the file's head.</param>
public sealed record InitialWeightsReport(
    string Path,
    WeightsFormat Format,
    IReadOnlyList<string> Loaded,
    IReadOnlyList<string> Ignored,
    bool HeadReinitialized,
    int FileNumClasses)
{
    /// <summary>
    /// A safetensors file's <c>__metadata__</c> (null for a torch.save file, which has none). A file OctaveML
    /// exported says there what the weights were trained on: the spec, the class names, the input size and
    /// the input normalisation (input_mean, input_std).
    /// </summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }
}
