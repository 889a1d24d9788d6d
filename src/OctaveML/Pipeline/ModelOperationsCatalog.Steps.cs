using System.Text.Json.Nodes;

namespace OctaveML.Pipeline;

public sealed partial class ModelOperationsCatalog
{
    // Network steps (trainers' prediction transformers): written with their weights.
    private static bool SaveModelStep(ITransformer step, int index, JsonObject node, JsonObject parameters, List<(string Name, byte[] Bytes)> entries) => false;

    private static ITransformer? LoadModelStep(string kind, JsonObject parameters, int index, Dictionary<string, byte[]> entries, string name) => null;
}
