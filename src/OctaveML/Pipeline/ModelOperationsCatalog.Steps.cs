using System.Text.Json.Nodes;
using OctaveML.Interop;

namespace OctaveML.Pipeline;

public sealed partial class ModelOperationsCatalog
{
    private const string NetworkKind = "ImageClassification";

    /// <summary>Writes a trained network step: its description in pipeline.json, its weights as safetensors.</summary>
    private static bool SaveModelStep(ITransformer step, int index, JsonObject node, JsonObject parameters, List<(string Name, byte[] Bytes)> entries)
    {
        if (step is not ImageClassificationPredictionTransformer network) return false;
        string entry = $"weights/{index}.safetensors";
        node["kind"] = NetworkKind;
        network.SaveParameters(parameters);
        parameters["weights"] = entry;
        var ms = new MemoryStream();
        SafeTensors.Write(ms, network.Model.StateDict(), new Dictionary<string, string> { ["architecture"] = network.Architecture.ToString() });
        entries.Add((entry, ms.ToArray()));
        return true;
    }

    /// <summary>Rebuilds a network step: the architecture from its description, then its weights (all of them, of the right shapes).</summary>
    private static ITransformer? LoadModelStep(string kind, JsonObject p, int index, Dictionary<string, byte[]> entries, string name)
    {
        if (kind != NetworkKind) return null;
        var architecture = ModelArchitecture.FromJson(p["architecture"]!.AsObject());
        var classNames = p["classNames"]!.AsArray().Select(c => c!.GetValue<string>()).ToArray();
        var shape = p["inputShape"]!.AsArray().Select(d => d!.GetValue<int>()).ToArray();
        string entry = p["weights"]!.GetValue<string>();
        if (!entries.TryGetValue(entry, out var bytes)) throw new ModelFormatException(name, $"step {index}'s weights '{entry}' are missing.");
        var model = architecture.Create(shape[0], classNames.Length, seed: 0);
        Dictionary<string, Tensors.Tensor> weights;
        try { weights = SafeTensors.Read(new MemoryStream(bytes), out _); }
        catch (InvalidDataException ex) { throw new ModelFormatException(name, $"step {index}'s weights '{entry}' are not valid safetensors: {ex.Message}", ex); }
        var own = model.StateDict();
        foreach (var (key, tensor) in own)
            if (!weights.TryGetValue(key, out var w) || !w.SameShape(tensor))
                throw new ModelFormatException(name, $"step {index}'s weights lack '{key}' {tensor.ShapeString} for {architecture} (or have another shape).");
        if (weights.Count != own.Count)
            throw new ModelFormatException(name, $"step {index}'s weights hold {weights.Count} tensors; {architecture} has {own.Count}.");
        model.LoadStateDict(weights);
        return new ImageClassificationPredictionTransformer(model, architecture, classNames, (shape[0], shape[1], shape[2]),
            p["featureColumnName"]!.GetValue<string>(), p["scoreColumnName"]!.GetValue<string>(), p["predictedLabelColumnName"]!.GetValue<string>(),
            p["batchSize"]!.GetValue<int>());
    }
}
