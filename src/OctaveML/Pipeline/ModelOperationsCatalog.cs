using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using OctaveML.Imaging;
using static OctaveML.Pipeline.ImagePixelExtractingEstimator;

namespace OctaveML.Pipeline;

/// <summary>
/// Model files and prediction engines (ML.NET's <c>ModelOperationsCatalog</c>).
/// </summary>
/// <remarks>
/// A model file is a zip holding <c>octaveml-model.json</c> (format name, <see cref="FormatVersion"/>
/// and the SHA-256 of every other entry), <c>schema.json</c> (the input schema), <c>pipeline.json</c>
/// (each step's kind, columns and parameters: key values, image sizes, pixel options, the network's
/// architecture and class names) and <c>weights/&lt;step&gt;.safetensors</c> (the network's tensors,
/// keyed by the reference PyTorch parameter names, loadable with <c>safetensors</c> in Python).
/// </remarks>
public sealed partial class ModelOperationsCatalog
{
    private const string ManifestEntry = "octaveml-model.json", SchemaEntry = "schema.json", PipelineEntry = "pipeline.json";
    private const string FormatName = "OctaveML.Model";

    /// <summary>The model file format version this library writes and the newest it reads.</summary>
    public const int FormatVersion = 1;

    internal ModelOperationsCatalog(OctaveContext ctx) { }

    /// <summary>
    /// Saves <paramref name="model"/> and the schema of the data it takes (<paramref name="inputSchema"/>,
    /// usually <c>data.Schema</c>) to <paramref name="filePath"/>. The file is written to a temporary
    /// name in the same folder and renamed, so a crash never leaves a half-written model behind.
    /// </summary>
    public void Save(ITransformer model, DataViewSchema inputSchema, string filePath)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inputSchema);
        ArgumentException.ThrowIfNullOrEmpty(filePath);
        string full = Path.GetFullPath(filePath);
        string temp = full + ".tmp-" + Guid.NewGuid().ToString("N")[..8];
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
            {
                Save(model, inputSchema, stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    /// <summary>Writes <paramref name="model"/> and <paramref name="inputSchema"/> to <paramref name="stream"/> as a model zip.</summary>
    public void Save(ITransformer model, DataViewSchema inputSchema, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inputSchema);
        ArgumentNullException.ThrowIfNull(stream);
        model.GetOutputSchema(inputSchema); // the model must apply to the schema it is saved with
        var entries = new List<(string Name, byte[] Bytes)>();
        var steps = new JsonArray();
        foreach (var step in Flatten(model))
        {
            var node = new JsonObject { ["kind"] = null };
            var parameters = new JsonObject();
            switch (step)
            {
                case OneToOneTransformerBase one:
                    node["kind"] = one.Kind;
                    node["columns"] = new JsonArray(one.Columns.Select(c => (JsonNode)new JsonArray(c.OutputColumnName, c.InputColumnName)).ToArray());
                    one.SaveParameters(parameters);
                    break;
                default:
                    if (!SaveModelStep(step, steps.Count, node, parameters, entries))
                        throw new ArgumentException($"a {step.GetType().Name} step cannot be saved: model files hold OctaveML's own transformers only.", nameof(model));
                    break;
            }
            node["parameters"] = parameters;
            steps.Add(node);
        }
        var schema = new JsonArray(inputSchema.Select(c =>
        {
            var o = new JsonObject { ["name"] = c.Name, ["type"] = DataViewTypeCodec.Encode(c.Type) };
            if (c.KeyValues is not null) o["keyValues"] = new JsonArray(c.KeyValues.Select(v => (JsonNode)JsonValue.Create(v)!).ToArray());
            return (JsonNode)o;
        }).ToArray());
        var indented = new JsonSerializerOptions { WriteIndented = true };
        entries.Insert(0, (SchemaEntry, Encoding.UTF8.GetBytes(schema.ToJsonString(indented))));
        entries.Insert(1, (PipelineEntry, Encoding.UTF8.GetBytes(new JsonObject { ["steps"] = steps }.ToJsonString(indented))));
        var manifest = new JsonObject
        {
            ["format"] = FormatName,
            ["version"] = FormatVersion,
            ["library"] = typeof(OctaveContext).Assembly.GetName().Version?.ToString(),
            ["sha256"] = new JsonObject(entries.Select(e => KeyValuePair.Create(e.Name, (JsonNode?)Convert.ToHexStringLower(SHA256.HashData(e.Bytes))))),
        };
        using var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
        Write(zip, ManifestEntry, Encoding.UTF8.GetBytes(manifest.ToJsonString(indented)));
        foreach (var (name, bytes) in entries) Write(zip, name, bytes);

        static void Write(ZipArchive zip, string name, byte[] bytes)
        {
            using var s = zip.CreateEntry(name, CompressionLevel.Fastest).Open();
            s.Write(bytes);
        }
    }

    /// <summary>
    /// Loads a model saved by <see cref="Save(ITransformer, DataViewSchema, string)"/>, returning it as a
    /// transformer chain and the input schema it was saved with. A file that is not an OctaveML model,
    /// of a newer format version, or damaged (an entry's SHA-256 differs) raises <see cref="ModelFormatException"/> naming it.
    /// </summary>
    public ITransformer Load(string filePath, out DataViewSchema inputSchema)
    {
        ArgumentException.ThrowIfNullOrEmpty(filePath);
        string full = Path.GetFullPath(filePath);
        using var stream = File.OpenRead(full);
        return Load(stream, full, out inputSchema);
    }

    /// <summary>Loads a model from <paramref name="stream"/> (see <see cref="Load(string, out DataViewSchema)"/>).</summary>
    public ITransformer Load(Stream stream, out DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return Load(stream, "(stream)", out inputSchema);
    }

    private ITransformer Load(Stream stream, string name, out DataViewSchema inputSchema)
    {
        Dictionary<string, byte[]> entries;
        try
        {
            using var zip = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true);
            entries = new Dictionary<string, byte[]>(StringComparer.Ordinal);
            foreach (var e in zip.Entries)
            {
                if (e.Length > 2L << 30) throw new ModelFormatException(name, $"entry '{e.FullName}' claims {e.Length} bytes; more than a model file holds.");
                using var s = e.Open();
                var ms = new MemoryStream();
                s.CopyTo(ms);
                entries[e.FullName] = ms.ToArray();
            }
        }
        catch (InvalidDataException ex)
        {
            throw new ModelFormatException(name, "not a readable zip archive (damaged or not a model file): " + ex.Message, ex);
        }
        if (!entries.TryGetValue(ManifestEntry, out var manifestBytes))
            throw new ModelFormatException(name, $"not an OctaveML model file (no {ManifestEntry} entry).");
        try { CheckManifest(manifestBytes, entries, name); }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException or ArgumentException or NullReferenceException)
        {
            throw new ModelFormatException(name, $"{ManifestEntry} is malformed: {ex.Message}", ex);
        }
        try
        {
            var builder = new DataViewSchema.Builder();
            foreach (var c in JsonNode.Parse(entries[SchemaEntry])!.AsArray())
                builder.AddColumn(c!["name"]!.GetValue<string>(), DataViewTypeCodec.Decode(c["type"]!.GetValue<string>()),
                    c["keyValues"]?.AsArray().Select(v => v!.GetValue<string>()).ToArray());
            inputSchema = builder.ToSchema();
            var steps = JsonNode.Parse(entries[PipelineEntry])!["steps"]!.AsArray();
            var transformers = steps.Select((s, i) => LoadStep(s!.AsObject(), i, entries, name)).ToArray();
            return new TransformerChain<ITransformer>(transformers);
        }
        catch (Exception ex) when (ex is JsonException or FormatException or InvalidOperationException or NullReferenceException or KeyNotFoundException or ArgumentException)
        {
            throw new ModelFormatException(name, "the pipeline description is malformed: " + ex.Message, ex);
        }
    }

    private static void CheckManifest(byte[] manifestBytes, Dictionary<string, byte[]> entries, string name)
    {
        var manifest = JsonNode.Parse(manifestBytes)!.AsObject();
        if (manifest["format"]?.GetValue<string>() != FormatName)
            throw new ModelFormatException(name, $"not an OctaveML model file (format '{manifest["format"]}').");
        int version = manifest["version"]?.GetValue<int>() ?? 0;
        if (version < 1 || version > FormatVersion)
            throw new ModelFormatException(name, $"format version {version} is not supported; this library reads versions 1 to {FormatVersion}.");
        var sums = manifest["sha256"]?.AsObject() ?? throw new ModelFormatException(name, "the manifest lists no checksums.");
        foreach (var (entry, sum) in sums)
        {
            if (!entries.TryGetValue(entry, out var bytes)) throw new ModelFormatException(name, $"entry '{entry}' is missing.");
            if (Convert.ToHexStringLower(SHA256.HashData(bytes)) != sum?.GetValue<string>())
                throw new ModelFormatException(name, $"entry '{entry}' is damaged: its SHA-256 does not match the manifest.");
        }
        foreach (var required in new[] { SchemaEntry, PipelineEntry })
            if (!sums.ContainsKey(required)) throw new ModelFormatException(name, $"entry '{required}' is missing from the manifest.");
    }

    private ITransformer LoadStep(JsonObject step, int index, Dictionary<string, byte[]> entries, string name)
    {
        string kind = step["kind"]!.GetValue<string>();
        var p = step["parameters"]!.AsObject();
        var columns = step["columns"]?.AsArray().Select(c => (c![0]!.GetValue<string>(), c[1]!.GetValue<string>())).ToArray() ?? [];
        T E<T>(string key) where T : struct, Enum => Enum.Parse<T>(p[key]!.GetValue<string>());
        return kind switch
        {
            "ValueToKeyMapping" => ValueToKeyMappingTransformer.Load(columns, p),
            "KeyToValueMapping" => new KeyToValueMappingTransformer(columns),
            "ImageLoading" => new ImageLoadingTransformer(p["imageFolder"]?.GetValue<string>(), p["rawBytes"]!.GetValue<bool>(), columns),
            "ImageResizing" => new ImageResizingTransformer(p["imageWidth"]!.GetValue<int>(), p["imageHeight"]!.GetValue<int>(),
                E<ResizingKind>("resizing"), E<Anchor>("cropAnchor"), columns),
            "ImagePixelExtracting" => new ImagePixelExtractingTransformer(E<ColorBits>("colorsToExtract"), E<ColorsOrder>("orderOfExtraction"),
                p["interleavePixelColors"]!.GetValue<bool>(), p["offsetImage"]!.GetValue<float>(), p["scaleImage"]!.GetValue<float>(), columns),
            _ => LoadModelStep(kind, p, index, entries, name) ?? throw new ModelFormatException(name, $"step {index} is of unknown kind '{kind}'."),
        };
    }

    /// <summary>
    /// A <see cref="PredictionEngine{TSrc, TDst}"/> over <paramref name="transformer"/>: one example in,
    /// one prediction out. With <paramref name="ignoreMissingColumns"/> (the default, as ML.NET) a
    /// <typeparamref name="TDst"/> property without a matching output column is left unset.
    /// </summary>
    public PredictionEngine<TSrc, TDst> CreatePredictionEngine<TSrc, TDst>(ITransformer transformer, bool ignoreMissingColumns = true)
        where TSrc : class where TDst : class, new() => new(transformer, ignoreMissingColumns);

    private static IEnumerable<ITransformer> Flatten(ITransformer model) =>
        model is IEnumerable<ITransformer> chain ? chain.SelectMany(Flatten) : [model];
}
