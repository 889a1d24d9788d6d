using System.Globalization;

namespace OctaveML.Models;

/// <summary>
/// An engine-agnostic description of a network: family, hyper-parameters, classes and input channels.
/// It fixes the architecture and the state-dict names (those of the PyTorch reference), so weights,
/// checkpoints and exported models move between backends. Every backend (the managed engine, the ONNX
/// writer, TorchSharp) builds from a spec; <see cref="ToProperties"/> and <see cref="FromProperties"/>
/// carry it through model files.
/// </summary>
public abstract record ModelSpec
{
    /// <summary>"OctResNet", "OctCifarResNet" or "OctMobileNet".</summary>
    public abstract string Family { get; }

    /// <summary>Low-frequency share of the channels, in [0, 1); 0 is the plain network.</summary>
    public double Alpha { get; init; } = 0.5;

    /// <summary>Classes (width of the logits), at least 2.</summary>
    public int NumClasses { get; init; } = 10;

    /// <summary>Input channels: 3 for RGB, 1 for grayscale.</summary>
    public int InChannels { get; init; } = 3;

    /// <summary>A short human-readable name, e.g. "OctResNet-50 (alpha 0.5, ImageNet stem)".</summary>
    public abstract string DisplayName { get; }

    /// <summary>
    /// A name for figures and files: "oct_" when alpha is not 0, then the family's lower-case name
    /// (resnet50, cifar_resnet20, mobilenet), e.g. oct_resnet50, resnet50, oct_cifar_resnet20.
    /// </summary>
    public abstract string Key { get; }

    /// <summary>Checks every value; throws <see cref="ArgumentOutOfRangeException"/> naming the property and the valid range.</summary>
    public virtual void Validate()
    {
        if (NumClasses < 2) throw new ArgumentOutOfRangeException(nameof(NumClasses), NumClasses, "NumClasses must be at least 2.");
        if (!(Alpha >= 0 && Alpha < 1)) throw new ArgumentOutOfRangeException(nameof(Alpha), Alpha, "Alpha must be in [0, 1).");
        if (InChannels < 1) throw new ArgumentOutOfRangeException(nameof(InChannels), InChannels, "InChannels must be at least 1.");
    }

    /// <summary>The managed engine's network for this spec, initial weights drawn from <paramref name="seed"/>.</summary>
    public abstract ImageClassifier CreateModel(int seed = 0);

    /// <summary>The spec's values as invariant-culture text (model metadata: ONNX metadata_props, safetensors __metadata__).</summary>
    public IReadOnlyDictionary<string, string> ToProperties()
    {
        var d = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["architecture"] = Family,
            ["alpha"] = Text(Alpha),
            ["num_classes"] = Text(NumClasses),
            ["in_channels"] = Text(InChannels),
        };
        AddProperties(d);
        return d;
    }

    /// <summary>The family's own values (depth, stem, width multiplier).</summary>
    private protected abstract void AddProperties(Dictionary<string, string> properties);

    /// <summary>
    /// The spec that <see cref="ToProperties"/> wrote. Throws <see cref="FormatException"/> naming the
    /// missing or malformed key; the result is validated.
    /// </summary>
    public static ModelSpec FromProperties(IReadOnlyDictionary<string, string> properties)
    {
        ArgumentNullException.ThrowIfNull(properties);
        string family = Get(properties, "architecture");
        ModelSpec spec = family switch
        {
            "OctResNet" => new OctResNetSpec
            {
                Depth = Int(properties, "depth"),
                Stem = Enum.TryParse<ResNetStem>(Get(properties, "stem"), out var stem) && Enum.IsDefined(stem)
                    ? stem : throw new FormatException($"model property 'stem' is '{properties["stem"]}'; expected ImageNet or Small."),
            },
            "OctCifarResNet" => new OctCifarResNetSpec { Depth = Int(properties, "depth") },
            "OctMobileNet" => new OctMobileNetSpec { WidthMultiplier = Double(properties, "width_multiplier") },
            _ => throw new FormatException($"model property 'architecture' is '{family}'; expected one of {string.Join(", ", Families)}."),
        };
        spec = spec with
        {
            Alpha = Double(properties, "alpha"),
            NumClasses = Int(properties, "num_classes"),
            InChannels = Int(properties, "in_channels"),
        };
        try { spec.Validate(); }
        catch (ArgumentOutOfRangeException e) { throw new FormatException($"model properties describe an invalid {family}: {e.Message}", e); }
        return spec;
    }

    /// <summary>The families <see cref="FromProperties"/> knows.</summary>
    public static IReadOnlyList<string> Families { get; } = ["OctResNet", "OctCifarResNet", "OctMobileNet"];

    /// <inheritdoc/>
    public override string ToString() => DisplayName;

    private protected static string Text(double x) => x.ToString("R", CultureInfo.InvariantCulture);
    private protected static string Text(int x) => x.ToString(CultureInfo.InvariantCulture);

    private static string Get(IReadOnlyDictionary<string, string> p, string key) =>
        p.TryGetValue(key, out var v) ? v : throw new FormatException($"model properties have no '{key}'.");

    private static int Int(IReadOnlyDictionary<string, string> p, string key) =>
        int.TryParse(Get(p, key), NumberStyles.Integer, CultureInfo.InvariantCulture, out int v)
            ? v : throw new FormatException($"model property '{key}' is '{p[key]}'; expected an integer.");

    private static double Double(IReadOnlyDictionary<string, string> p, string key) =>
        double.TryParse(Get(p, key), NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && double.IsFinite(v)
            ? v : throw new FormatException($"model property '{key}' is '{p[key]}'; expected a number.");
}
