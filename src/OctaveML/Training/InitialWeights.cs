using OctaveML.Interop;
using OctaveML.Models;
using OctaveML.Tensors;

namespace OctaveML.Training;

/// <summary>
/// Starts a model from a weights file: safetensors (as this library and Hugging Face tools write it)
/// or a PyTorch torch.save state dict (see <see cref="PyTorchCheckpoint"/>), told apart by content.
/// Names and shapes must match the model's state dict exactly, with one exception: a classifier head
/// (<see cref="ImageClassifier.HeadName"/>) trained for another class count is skipped and the model
/// keeps its own freshly initialised head (fine-tuning). BN's num_batches_tracked counters are
/// bookkeeping, not weights: the file need not have them and the model keeps its own. Every other mismatch is a <see cref="WeightsMismatchException"/> listing the names, raised
/// before anything is copied: a model is loaded whole or not at all.
/// </summary>
public static class InitialWeights
{
    private const string BatchCounter = "num_batches_tracked";

    /// <summary>Copies the weights in <paramref name="path"/> into <paramref name="model"/>.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="PyTorchFormatException">A torch.save file that cannot be read or holds no state dict.</exception>
    /// <exception cref="InvalidDataException">A safetensors file that cannot be read, or a file in neither format.</exception>
    /// <exception cref="WeightsMismatchException">The weights do not fit the model; it is left unchanged.</exception>
    public static InitialWeightsReport Load(ImageClassifier model, string path)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrEmpty(path);
        var head = new byte[WeightsFormats.HeadBytes];
        int n;
        using (var fs = File.OpenRead(path)) n = fs.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        var format = WeightsFormats.Detect(head.AsSpan(0, n), out string reason)
            ?? throw new InvalidDataException($"{path}: {reason}");
        Dictionary<string, string>? metadata = null;
        Dictionary<string, Tensor> weights;
        if (format == WeightsFormat.SafeTensors)
        {
            using var fs = File.OpenRead(path);
            try { weights = SafeTensors.Read(fs, out var m); metadata = m; }
            catch (InvalidDataException e) { throw new InvalidDataException($"{path}: {e.Message}", e); }
        }
        else weights = PyTorchCheckpoint.Load(path);
        return Apply(model, weights, path, format) with { Metadata = metadata };
    }

    /// <summary>Checks <paramref name="weights"/> against the model's state dict, then copies them (all or nothing).</summary>
    internal static InitialWeightsReport Apply(ImageClassifier model, IReadOnlyDictionary<string, Tensor> weights, string path, WeightsFormat format)
    {
        // BN's batch counters are bookkeeping, not weights: neither required nor copied, on either side.
        var own = model.StateDict().Where(kv => !IsBatchCounter(kv.Key)).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
        var missing = own.Keys.Where(k => !weights.ContainsKey(k)).ToList();
        var unexpected = weights.Keys.Where(k => !own.ContainsKey(k) && !IsBatchCounter(k)).ToList();
        var misShaped = own.Keys.Where(k => weights.TryGetValue(k, out var t) && !t.SameShape(own[k])).ToList();

        string headWeight = ImageClassifier.HeadName + ".weight", headBias = ImageClassifier.HeadName + ".bias";
        bool reinitHead = OnlyClassCountDiffers(own, weights, headWeight, headBias);
        if (reinitHead) misShaped.RemoveAll(k => k == headWeight || k == headBias);
        if (missing.Count > 0 || unexpected.Count > 0 || misShaped.Count > 0)
            throw new WeightsMismatchException(path, model.GetType().Name, missing, unexpected,
                misShaped.Select(k => $"{k}: {weights[k].ShapeString} vs {own[k].ShapeString}").ToList());

        var loaded = own.Keys.Where(k => !(reinitHead && (k == headWeight || k == headBias))).ToList();
        foreach (var name in loaded) weights[name].Data.AsSpan().CopyTo(own[name].Data);
        int fileClasses = weights.TryGetValue(headWeight, out var w) && w.Rank == 2 ? w.Dim(0) : model.NumClasses;
        return new InitialWeightsReport(path, format, loaded, weights.Keys.Where(IsBatchCounter).ToList(), reinitHead, fileClasses);
    }

    private static bool IsBatchCounter(string name) => name == BatchCounter || name.EndsWith("." + BatchCounter, StringComparison.Ordinal);

    /// <summary>
    /// True when the file's head is [C', F] and [C'] against the model's [C, F] and [C] with C' != C:
    /// a head trained for another class count, which the model re-initialises.
    /// </summary>
    private static bool OnlyClassCountDiffers(Dictionary<string, Tensor> own, IReadOnlyDictionary<string, Tensor> weights, string headWeight, string headBias)
    {
        if (!own.TryGetValue(headWeight, out var ownW) || !own.TryGetValue(headBias, out var ownB)
            || !weights.TryGetValue(headWeight, out var fileW) || !weights.TryGetValue(headBias, out var fileB))
            return false;
        return ownW.Rank == 2 && fileW.Rank == 2 && ownB.Rank == 1 && fileB.Rank == 1
            && fileW.Dim(1) == ownW.Dim(1) && fileB.Dim(0) == fileW.Dim(0) && fileW.Dim(0) != ownW.Dim(0);
    }
}
