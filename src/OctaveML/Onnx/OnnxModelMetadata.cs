using System.Globalization;
using System.Text.Json;
using OctaveML.Models;

namespace OctaveML.Onnx;

/// <summary>
/// What an exported model says about itself, as text key/value pairs: the ONNX model's metadata_props
/// and the safetensors header's __metadata__. The spec's own properties (architecture, depth, alpha,
/// stem, width_multiplier, num_classes, in_channels), the class names, the input size and mean/std,
/// and the format version.
/// </summary>
public sealed record OnnxModelMetadata
{
    /// <summary>The version this library writes; a reader refuses newer ones.</summary>
    public const int CurrentFormatVersion = 1;

    private const string FormatKey = "octaveml_format", ClassNamesKey = "class_names", MeanKey = "input_mean",
        StdKey = "input_std", HeightKey = "input_height", WidthKey = "input_width";

    /// <summary>The network.</summary>
    public required ModelSpec Spec { get; init; }

    /// <summary>One name per class, in score order.</summary>
    public required IReadOnlyList<string> ClassNames { get; init; }

    /// <summary>Input image height in pixels.</summary>
    public required int Height { get; init; }

    /// <summary>Input image width in pixels.</summary>
    public required int Width { get; init; }

    /// <summary>Per input channel: the model computes (x - Mean) / Std.</summary>
    public required IReadOnlyList<float> Mean { get; init; }

    /// <summary>Per input channel, see <see cref="Mean"/>.</summary>
    public required IReadOnlyList<float> Std { get; init; }

    /// <summary>The key/value pairs.</summary>
    public IReadOnlyDictionary<string, string> ToProperties()
    {
        var d = new Dictionary<string, string>(Spec.ToProperties(), StringComparer.Ordinal)
        {
            [FormatKey] = CurrentFormatVersion.ToString(CultureInfo.InvariantCulture),
            [ClassNamesKey] = JsonSerializer.Serialize(ClassNames),
            [HeightKey] = Height.ToString(CultureInfo.InvariantCulture),
            [WidthKey] = Width.ToString(CultureInfo.InvariantCulture),
            [MeanKey] = JsonSerializer.Serialize(Mean),
            [StdKey] = JsonSerializer.Serialize(Std),
        };
        return d;
    }

    /// <summary>True when <paramref name="properties"/> come from this library (they carry its format key).</summary>
    public static bool IsOctaveModel(IReadOnlyDictionary<string, string> properties) => properties.ContainsKey(FormatKey);

    /// <summary>
    /// The metadata <see cref="ToProperties"/> wrote. Throws <see cref="FormatException"/> naming the
    /// missing or malformed key, or a format version newer than this library reads.
    /// </summary>
    public static OnnxModelMetadata FromProperties(IReadOnlyDictionary<string, string> properties)
    {
        ArgumentNullException.ThrowIfNull(properties);
        int version = Int(properties, FormatKey);
        if (version < 1 || version > CurrentFormatVersion)
            throw new FormatException($"model property '{FormatKey}' is {version}; this OctaveML reads versions 1 to {CurrentFormatVersion}.");
        var spec = ModelSpec.FromProperties(properties);
        var names = Json<string[]>(properties, ClassNamesKey);
        var mean = Json<float[]>(properties, MeanKey);
        var std = Json<float[]>(properties, StdKey);
        if (names.Length != spec.NumClasses || names.Any(n => n is null))
            throw new FormatException($"model property '{ClassNamesKey}' has {names.Length} names for {spec.NumClasses} classes.");
        if (mean.Length != spec.InChannels || std.Length != spec.InChannels)
            throw new FormatException($"model properties '{MeanKey}' and '{StdKey}' have {mean.Length} and {std.Length} values for {spec.InChannels} input channels.");
        return new OnnxModelMetadata
        {
            Spec = spec, ClassNames = names, Mean = mean, Std = std,
            Height = Int(properties, HeightKey), Width = Int(properties, WidthKey),
        };
    }

    private static string Get(IReadOnlyDictionary<string, string> p, string key) =>
        p.TryGetValue(key, out var v) ? v : throw new FormatException($"model properties have no '{key}'.");

    private static int Int(IReadOnlyDictionary<string, string> p, string key) =>
        int.TryParse(Get(p, key), NumberStyles.Integer, CultureInfo.InvariantCulture, out int v)
            ? v : throw new FormatException($"model property '{key}' is '{p[key]}'; expected an integer.");

    private static T Json<T>(IReadOnlyDictionary<string, string> p, string key) where T : class
    {
        try { return JsonSerializer.Deserialize<T>(Get(p, key)) ?? throw new JsonException("null"); }
        catch (JsonException e) { throw new FormatException($"model property '{key}' is '{p[key]}'; expected a JSON array.", e); }
    }
}
