using System.Buffers.Binary;
using System.IO.Compression;
using System.Runtime.InteropServices;
using System.Text.Json;
using Google.Protobuf;
using Microsoft.ML;
using Onnx;
using OctaveML.Interop;
using OctaveML.Tensors;

namespace OctaveML.Onnx;

/// <summary>
/// Reads a trained network back out of what ML.NET saved: the ONNX model ApplyOnnxModel embedded in a
/// model.zip (or that a fitted transformer holds), its metadata, and the exact weights from its
/// initializers; and writes those weights as safetensors with the reference's names.
/// </summary>
public static class OctaveModelFile
{
    // ApplyOnnxModel stores the model as this entry of its folder: an int32 length, then the bytes.
    private const string OnnxEntryName = "OnnxModel";

    /// <summary>The OctaveML model inside the ML.NET model.zip at <paramref name="path"/>.</summary>
    /// <exception cref="ExportedModelFormatException">No single readable OctaveML model is in the file.</exception>
    public static ExportedModel Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var stream = File.OpenRead(path);
        return Read(stream, path);
    }

    /// <summary>The OctaveML model inside an ML.NET model.zip read from <paramref name="modelZip"/>.</summary>
    public static ExportedModel Read(Stream modelZip) => Read(modelZip, "(stream)");

    /// <summary>The OctaveML model a fitted transformer (e.g. a trainer's output or a loaded model) scores with.</summary>
    public static ExportedModel Read(MLContext ml, ITransformer model)
    {
        ArgumentNullException.ThrowIfNull(ml);
        ArgumentNullException.ThrowIfNull(model);
        using var zip = new MemoryStream();
        ml.Model.Save(model, null, zip);
        zip.Position = 0;
        return Read(zip, "(transformer)");
    }

    /// <summary>The model an <see cref="OnnxExport"/> ONNX file holds.</summary>
    public static ExportedModel FromOnnx(byte[] onnx) => FromOnnx(onnx, "(onnx)");

    /// <summary>The weights as safetensors: reference names, float32, and the metadata as <c>__metadata__</c>.</summary>
    public static byte[] ToSafeTensors(ExportedModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        using var stream = new MemoryStream();
        SafeTensors.Write(stream, model.Weights, model.Metadata.ToProperties());
        return stream.ToArray();
    }

    /// <summary>Writes <see cref="ToSafeTensors"/> to <paramref name="path"/> (atomically).</summary>
    public static void SaveSafeTensors(ExportedModel model, string path)
    {
        ArgumentNullException.ThrowIfNull(model);
        SafeTensors.Save(path, model.Weights, model.Metadata.ToProperties());
    }

    private static ExportedModel Read(Stream modelZip, string source)
    {
        ArgumentNullException.ThrowIfNull(modelZip);
        var found = new List<(string Entry, ExportedModel Model)>();
        try
        {
            using var zip = new ZipArchive(modelZip, ZipArchiveMode.Read, leaveOpen: true);
            foreach (var entry in zip.Entries.Where(e => e.Name == OnnxEntryName))
            {
                byte[] onnx = EntryBytes(entry, source);
                if (ParseOrNull(onnx) is { } model && OnnxModelMetadata.IsOctaveModel(Properties(model)))
                    found.Add((entry.FullName, FromOnnx(onnx, model, $"{source} {entry.FullName}")));
            }
        }
        catch (InvalidDataException e)
        {
            throw new ExportedModelFormatException(source, $"not an ML.NET model zip ({e.Message}).", e);
        }
        return found.Count switch
        {
            1 => found[0].Model,
            0 => throw new ExportedModelFormatException(source, "holds no ONNX model written by OctaveML."),
            _ => throw new ExportedModelFormatException(source, $"holds {found.Count} OctaveML models ({string.Join(", ", found.Select(f => f.Entry))}); read one of them from its transformer."),
        };
    }

    private static byte[] EntryBytes(ZipArchiveEntry entry, string source)
    {
        using var s = entry.Open();
        using var copy = new MemoryStream();
        s.CopyTo(copy);
        var bytes = copy.GetBuffer().AsSpan(0, (int)copy.Length);
        if (bytes.Length < 4 || BinaryPrimitives.ReadInt32LittleEndian(bytes) != bytes.Length - 4)
            throw new ExportedModelFormatException(source, $"entry {entry.FullName} is not a length-prefixed ONNX model.");
        return bytes[4..].ToArray();
    }

    private static ModelProto? ParseOrNull(byte[] onnx)
    {
        try { return ModelProto.Parser.ParseFrom(onnx); }
        catch (InvalidProtocolBufferException) { return null; }
    }

    private static ExportedModel FromOnnx(byte[] onnx, string source)
    {
        ArgumentNullException.ThrowIfNull(onnx);
        return FromOnnx(onnx, ParseOrNull(onnx) ?? throw new ExportedModelFormatException(source, "not an ONNX model."), source);
    }

    private static ExportedModel FromOnnx(byte[] onnx, ModelProto model, string source)
    {
        try
        {
            var properties = Properties(model);
            if (!OnnxModelMetadata.IsOctaveModel(properties)) throw new FormatException("the ONNX model was not written by OctaveML.");
            var metadata = OnnxModelMetadata.FromProperties(properties);
            if (model.Graph is null) throw new FormatException("the ONNX model has no graph.");
            var weights = new Dictionary<string, Tensor>(StringComparer.Ordinal);
            foreach (var init in model.Graph.Initializer)
                if (!init.Name.StartsWith(OnnxGraphBuilder.ConstantPrefix, StringComparison.Ordinal) && init.DataType == (int)TensorProto.Types.DataType.Float)
                    weights.Add(init.Name, ToTensor(init));
            if (properties.TryGetValue(OnnxExport.StateScalarsKey, out var json))
                foreach (var (name, value) in JsonSerializer.Deserialize<Dictionary<string, float>>(json) ?? [])
                    weights.Add(name, new Tensor(new[] { value }, Array.Empty<int>()));
            return new ExportedModel(onnx, metadata, weights);
        }
        catch (Exception e) when (e is FormatException or JsonException or ArgumentException or OverflowException)
        {
            throw new ExportedModelFormatException(source, e.Message, e);
        }
    }

    private static Dictionary<string, string> Properties(ModelProto model) =>
        model.MetadataProps.GroupBy(p => p.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Last().Value, StringComparer.Ordinal);

    private static Tensor ToTensor(TensorProto t)
    {
        int[] shape = t.Dims.Select(d => checked((int)d)).ToArray();
        var tensor = new Tensor(shape);
        if (!t.RawData.IsEmpty)
        {
            if (t.RawData.Length != tensor.Length * sizeof(float))
                throw new FormatException($"initializer '{t.Name}' has {t.RawData.Length} bytes for shape {tensor.ShapeString}.");
            MemoryMarshal.Cast<byte, float>(t.RawData.Span).CopyTo(tensor.Data);
        }
        else
        {
            if (t.FloatData.Count != tensor.Length)
                throw new FormatException($"initializer '{t.Name}' has {t.FloatData.Count} values for shape {tensor.ShapeString}.");
            t.FloatData.CopyTo(tensor.Data, 0);
        }
        return tensor;
    }
}
