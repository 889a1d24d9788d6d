using System.Globalization;
using System.Text.Json.Nodes;
using OctaveML.Models;

namespace OctaveML.Pipeline;

/// <summary>
/// Which network a trainer builds and its hyper-parameters (name plus invariant-culture values), as
/// recorded in model files so a loaded model rebuilds the same network before taking its weights.
/// </summary>
public sealed class ModelArchitecture
{
    private readonly Dictionary<string, string> _parameters;

    private ModelArchitecture(string name, Dictionary<string, string> parameters)
    {
        Name = name; _parameters = parameters;
    }

    /// <summary>"OctResNet", "OctCifarResNet" or "OctMobileNet".</summary>
    public string Name { get; }

    /// <summary>The hyper-parameters (depth, alpha, stem, widthMultiplier), as text.</summary>
    public IReadOnlyDictionary<string, string> Parameters => _parameters;

    internal static ModelArchitecture OctResNet(int depth, double alpha, ResNetStem stem) =>
        new("OctResNet", new() { ["depth"] = S(depth), ["alpha"] = S(alpha), ["stem"] = stem.ToString() });

    internal static ModelArchitecture OctCifarResNet(int depth, double alpha) =>
        new("OctCifarResNet", new() { ["depth"] = S(depth), ["alpha"] = S(alpha) });

    internal static ModelArchitecture OctMobileNet(double alpha, double widthMultiplier) =>
        new("OctMobileNet", new() { ["alpha"] = S(alpha), ["widthMultiplier"] = S(widthMultiplier) });

    /// <summary>Builds the network for <paramref name="inChannels"/> and <paramref name="numClasses"/>, initial weights from <paramref name="seed"/>.</summary>
    internal ImageClassifier Create(int inChannels, int numClasses, int seed) => Name switch
    {
        "OctResNet" => new OctResNet(I("depth"), numClasses, D("alpha"), Enum.Parse<ResNetStem>(_parameters["stem"]), inChannels, seed),
        "OctCifarResNet" => new OctCifarResNet(I("depth"), numClasses, D("alpha"), inChannels, seed),
        "OctMobileNet" => new OctMobileNet(numClasses, D("alpha"), inChannels, D("widthMultiplier"), seed),
        _ => throw new FormatException($"unknown architecture '{Name}'; expected OctResNet, OctCifarResNet or OctMobileNet."),
    };

    internal JsonObject ToJson() =>
        new() { ["name"] = Name, ["parameters"] = new JsonObject(_parameters.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)JsonValue.Create(p.Value)))) };

    internal static ModelArchitecture FromJson(JsonObject json) =>
        new(json["name"]!.GetValue<string>(), json["parameters"]!.AsObject().ToDictionary(p => p.Key, p => p.Value!.GetValue<string>()));

    /// <inheritdoc/>
    public override string ToString() => $"{Name}({string.Join(", ", _parameters.Select(p => $"{p.Key}={p.Value}"))})";

    private int I(string key) => int.Parse(_parameters[key], CultureInfo.InvariantCulture);
    private double D(string key) => double.Parse(_parameters[key], CultureInfo.InvariantCulture);
    private static string S(IFormattable value) => value.ToString(null, CultureInfo.InvariantCulture);
}
