using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using OctaveML.Interop;
using OctaveML.Tensors;

namespace OctaveML.Training;

/// <summary>
/// Everything needed to resume a run, in one safetensors file that PyTorch tools can open:
/// tensors "model/&lt;state_dict name&gt;" (weights and BN buffers), "optimizer/&lt;parameter&gt;.&lt;state&gt;"
/// and, with early stopping, "best/&lt;state_dict name&gt;"; the <see cref="TrainingState"/> as JSON in the
/// header's metadata with a SHA-256 over state and tensors. Saving is atomic: a temporary file in the
/// same folder is written, flushed to disk and moved over the old one, so a kill mid-write leaves
/// the previous checkpoint intact.
/// </summary>
public sealed class Checkpoint
{
    /// <summary>The file name the <see cref="Trainer"/> uses inside its checkpoint directory.</summary>
    public const string DefaultFileName = "checkpoint.safetensors";

    private const string FormatKey = "format", FormatValue = "octaveml.checkpoint", StateKey = "state", HashKey = "sha256";

    internal static readonly JsonSerializerOptions Json = new()
    {
        Converters = { new JsonStringEnumConverter() },
        WriteIndented = false,
    };

    /// <summary>The run's position and bookkeeping.</summary>
    public required TrainingState State { get; init; }

    /// <summary>The model's state_dict (parameters and buffers).</summary>
    public required IReadOnlyDictionary<string, Tensor> Model { get; init; }

    /// <summary>The optimizer's state (see <see cref="Training.Optimizer.StateDict"/>).</summary>
    public IReadOnlyDictionary<string, Tensor> Optimizer { get; init; } = new Dictionary<string, Tensor>();

    /// <summary>The best epoch's state_dict when early stopping tracks one, else null.</summary>
    public IReadOnlyDictionary<string, Tensor>? BestModel { get; init; }

    /// <summary>The checkpoint path inside <paramref name="directory"/>.</summary>
    public static string PathIn(string directory) => System.IO.Path.Combine(directory, DefaultFileName);

    /// <summary>Writes the checkpoint to <paramref name="path"/> atomically (temp file, flush to disk, move).</summary>
    public void Save(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string full = System.IO.Path.GetFullPath(path);
        string dir = System.IO.Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(dir);
        var tensors = Tensors().ToList();
        string state = JsonSerializer.Serialize(State, Json);
        var meta = new Dictionary<string, string>
        {
            [FormatKey] = FormatValue,
            [StateKey] = state,
            [HashKey] = Hash(state, tensors),
        };
        string tmp = System.IO.Path.Combine(dir, $"{System.IO.Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var fs = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20))
            {
                SafeTensors.Write(fs, tensors, meta);
                fs.Flush(flushToDisk: true);
            }
            File.Move(tmp, full, overwrite: true);
        }
        catch
        {
            try { File.Delete(tmp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            throw;
        }
        // Temp files of writers that were killed are garbage once a newer checkpoint is in place.
        foreach (string stale in Directory.EnumerateFiles(dir, System.IO.Path.GetFileName(full) + ".*.tmp"))
        {
            try { File.Delete(stale); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    /// <summary>
    /// Reads and validates a checkpoint. A missing file throws <see cref="FileNotFoundException"/>;
    /// a damaged or foreign one <see cref="CheckpointFormatException"/> naming the file and the reason.
    /// </summary>
    public static Checkpoint Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"checkpoint {path} does not exist.", path);
        Dictionary<string, Tensor> all;
        Dictionary<string, string> meta;
        try
        {
            using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
            all = SafeTensors.Read(fs, out meta);
        }
        catch (Exception e) when (e is InvalidDataException or ArgumentException or OverflowException or OutOfMemoryException)
        {
            throw new CheckpointFormatException(path, $"not a readable checkpoint ({e.Message})", e);
        }
        if (!meta.TryGetValue(FormatKey, out var format) || format != FormatValue || !meta.TryGetValue(StateKey, out var stateJson) || !meta.TryGetValue(HashKey, out var hash))
            throw new CheckpointFormatException(path, "a safetensors file without OctaveML checkpoint metadata; not a checkpoint.");
        var ordered = all.ToList();
        if (Hash(stateJson, ordered) != hash)
            throw new CheckpointFormatException(path, "the SHA-256 of its contents does not match the one recorded: the file is corrupted.");
        TrainingState state;
        try
        {
            state = JsonSerializer.Deserialize<TrainingState>(stateJson, Json)
                    ?? throw new JsonException("the state is null.");
        }
        catch (JsonException e)
        {
            throw new CheckpointFormatException(path, $"the training state cannot be read: {e.Message}", e);
        }
        if (state.FormatVersion != TrainingState.CurrentFormatVersion)
            throw new CheckpointFormatException(path, $"format version {state.FormatVersion}; this build reads version {TrainingState.CurrentFormatVersion}.");
        Dictionary<string, Tensor> Part(string prefix) => ordered.Where(x => x.Key.StartsWith(prefix, StringComparison.Ordinal))
            .ToDictionary(x => x.Key[prefix.Length..], x => x.Value, StringComparer.Ordinal);
        var model = Part("model/");
        if (model.Count == 0) throw new CheckpointFormatException(path, "it holds no model tensors.");
        var best = Part("best/");
        return new Checkpoint { State = state, Model = model, Optimizer = Part("optimizer/"), BestModel = best.Count > 0 ? best : null };
    }

    private IEnumerable<KeyValuePair<string, Tensor>> Tensors()
    {
        foreach (var (k, v) in Model) yield return new("model/" + k, v);
        foreach (var (k, v) in Optimizer) yield return new("optimizer/" + k, v);
        if (BestModel is not null)
            foreach (var (k, v) in BestModel) yield return new("best/" + k, v);
    }

    private static string Hash(string state, List<KeyValuePair<string, Tensor>> tensors)
    {
        using var h = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        h.AppendData(Encoding.UTF8.GetBytes(state));
        foreach (var (name, t) in tensors)
        {
            h.AppendData(Encoding.UTF8.GetBytes(name));
            h.AppendData(MemoryMarshal.AsBytes(t.Shape));
            h.AppendData(MemoryMarshal.AsBytes(t.Data.AsSpan()));
        }
        return Convert.ToHexStringLower(h.GetHashAndReset());
    }
}
