using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using OctaveML.Tensors;

namespace OctaveML.Interop;

/// <summary>
/// Reads and writes the safetensors format (8-byte little-endian header length, a JSON header,
/// then raw little-endian data), the weight format PyTorch and Hugging Face tools share.
/// F32 tensors are read as they are; F64, I64, I32, I8 and U8 tensors are converted to float32.
/// </summary>
public static class SafeTensors
{
    private const long MaxHeaderBytes = 100_000_000;

    /// <summary>Writes float32 tensors, keys in the given order, to <paramref name="path"/> atomically.</summary>
    public static void Save(string path, IEnumerable<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        string tmp = path + ".tmp-" + Environment.ProcessId;
        using (var fs = File.Create(tmp)) Write(fs, tensors, metadata);
        File.Move(tmp, path, overwrite: true);
    }

    /// <summary>Writes float32 tensors to a stream.</summary>
    public static void Write(Stream stream, IEnumerable<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var list = tensors.ToList();
        var header = new Dictionary<string, object>(StringComparer.Ordinal);
        if (metadata is { Count: > 0 }) header["__metadata__"] = metadata;
        long offset = 0;
        foreach (var (name, t) in list)
        {
            long bytes = (long)t.Length * sizeof(float);
            header[name] = new Dictionary<string, object>
            {
                ["dtype"] = "F32",
                ["shape"] = t.ShapeArray(),
                ["data_offsets"] = new[] { offset, offset + bytes },
            };
            offset += bytes;
        }
        byte[] json = JsonSerializer.SerializeToUtf8Bytes(header);
        int pad = (8 - json.Length % 8) % 8; // keep the data 8-byte aligned, as the reference writer does
        Span<byte> len = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(len, (ulong)(json.Length + pad));
        stream.Write(len);
        stream.Write(json);
        for (int i = 0; i < pad; i++) stream.WriteByte((byte)' ');
        foreach (var (_, t) in list)
            stream.Write(MemoryMarshal.AsBytes(t.Data.AsSpan()));
    }

    /// <summary>Reads every tensor of a safetensors file, by name, in file order.</summary>
    public static Dictionary<string, Tensor> Load(string path)
    {
        using var fs = File.OpenRead(path);
        try { return Read(fs, out _); }
        catch (InvalidDataException e) { throw new InvalidDataException($"{path}: {e.Message}", e); }
    }

    /// <summary>Reads every tensor from a stream; <paramref name="metadata"/> receives the header's __metadata__.</summary>
    public static Dictionary<string, Tensor> Read(Stream stream, out Dictionary<string, string> metadata)
    {
        Span<byte> len = stackalloc byte[8];
        ReadExactly(stream, len, "header length");
        ulong headerLen = BinaryPrimitives.ReadUInt64LittleEndian(len);
        if (headerLen == 0 || headerLen > MaxHeaderBytes)
            throw new InvalidDataException($"header length {headerLen} at offset 0 is not in [1, {MaxHeaderBytes}]; not a safetensors file.");
        var json = new byte[headerLen];
        ReadExactly(stream, json, "header");
        metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        var entries = new List<(string Name, string DType, int[] Shape, long Begin, long End)>();
        try
        {
            using var doc = JsonDocument.Parse(json);
            foreach (var prop in doc.RootElement.EnumerateObject())
            {
                if (prop.Name == "__metadata__")
                {
                    foreach (var m in prop.Value.EnumerateObject()) metadata[m.Name] = m.Value.GetString() ?? "";
                    continue;
                }
                var v = prop.Value;
                int[] shape = v.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()).ToArray();
                long[] offs = v.GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt64()).ToArray();
                if (offs.Length != 2) throw new InvalidDataException($"tensor '{prop.Name}' has {offs.Length} data offsets, expected 2.");
                entries.Add((prop.Name, v.GetProperty("dtype").GetString() ?? "", shape, offs[0], offs[1]));
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or KeyNotFoundException or FormatException)
        {
            throw new InvalidDataException($"the JSON header at offset 8 is malformed: {e.Message}", e);
        }

        long dataStart = 8 + (long)headerLen;
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        long pos = 0;
        foreach (var e in entries.OrderBy(x => x.Begin))
        {
            int elem = e.DType switch { "I8" or "U8" => 1, "F32" or "I32" => 4, "F64" or "I64" => 8, _ => throw new InvalidDataException($"tensor '{e.Name}' has dtype {e.DType}; supported: F32, F64, I32, I64, I8, U8.") };
            long count = 1;
            foreach (int d in e.Shape)
            {
                if (d < 0) throw new InvalidDataException($"tensor '{e.Name}' has a negative dimension.");
                count *= d;
            }
            if (e.End - e.Begin != count * elem || e.Begin < pos)
                throw new InvalidDataException($"tensor '{e.Name}' at offset {dataStart + e.Begin}: data_offsets [{e.Begin}, {e.End}] do not hold {count} {e.DType} values.");
            if (count > Array.MaxLength) throw new InvalidDataException($"tensor '{e.Name}' has {count} elements, more than an array holds.");
            Skip(stream, e.Begin - pos);
            var raw = new byte[e.End - e.Begin];
            ReadExactly(stream, raw, $"data of tensor '{e.Name}' at offset {dataStart + e.Begin}");
            pos = e.End;
            var t = new Tensor(e.Shape);
            var dst = t.Data.AsSpan();
            switch (e.DType)
            {
                case "F32": MemoryMarshal.Cast<byte, float>(raw).CopyTo(dst); break;
                case "F64": { var s = MemoryMarshal.Cast<byte, double>(raw); for (int i = 0; i < s.Length; i++) dst[i] = (float)s[i]; break; }
                case "I32": { var s = MemoryMarshal.Cast<byte, int>(raw); for (int i = 0; i < s.Length; i++) dst[i] = s[i]; break; }
                case "I64": { var s = MemoryMarshal.Cast<byte, long>(raw); for (int i = 0; i < s.Length; i++) dst[i] = s[i]; break; }
                case "I8": { var s = MemoryMarshal.Cast<byte, sbyte>(raw); for (int i = 0; i < s.Length; i++) dst[i] = s[i]; break; }
                case "U8": for (int i = 0; i < raw.Length; i++) dst[i] = raw[i]; break;
            }
            result[e.Name] = t;
        }
        // Report in header order, as the file lists them.
        return entries.ToDictionary(e => e.Name, e => result[e.Name], StringComparer.Ordinal);
    }

    private static void ReadExactly(Stream s, Span<byte> buffer, string what)
    {
        try { s.ReadExactly(buffer); }
        catch (EndOfStreamException e) { throw new InvalidDataException($"the file ends inside the {what}.", e); }
    }

    private static void Skip(Stream s, long bytes)
    {
        if (bytes == 0) return;
        if (s.CanSeek) { s.Seek(bytes, SeekOrigin.Current); return; }
        var tmp = new byte[Math.Min(bytes, 1 << 16)];
        while (bytes > 0) { int n = (int)Math.Min(bytes, tmp.Length); ReadExactly(s, tmp.AsSpan(0, n), "padding"); bytes -= n; }
    }
}
