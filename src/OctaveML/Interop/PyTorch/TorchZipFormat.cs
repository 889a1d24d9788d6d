using System.IO.Compression;
using System.IO.Hashing;
using OctaveML.Interop.Pickle;
using OctaveML.Tensors;

namespace OctaveML.Interop.PyTorch;

/// <summary>
/// torch.save's zip format (PyTorch 1.6 and later): one top folder (named after the file, or
/// "archive") holding data.pkl, the pickled object whose tensors name their storages by key, and
/// data/&lt;key&gt;, each storage's raw little-endian bytes. Only the storages of the state dict are read.
/// Entries are normally stored uncompressed; a compressed one may not claim more than deflate can
/// expand its bytes to, so sizes stay bounded by the file's. Every entry read is checked against its
/// CRC-32, so a corrupted weight is an error rather than a silently wrong model.
/// </summary>
internal static class TorchZipFormat
{
    private const long MaxPickleBytes = 1L << 30;
    private const long MaxDeflateRatio = 1032;

    /// <summary>The state dict in the zip archive <paramref name="stream"/> (seekable, from its start).</summary>
    public static List<KeyValuePair<string, Tensor>> Read(Stream stream)
    {
        using var zip = Open(stream, out var entries);
        var records = entries.Where(e => e.FullName.EndsWith("/data.pkl", StringComparison.Ordinal) && e.FullName.Count(c => c == '/') == 1).ToList();
        if (records.Count != 1)
            throw new InvalidDataException(records.Count == 0
                ? "a zip archive without <folder>/data.pkl: not a torch.save file."
                : $"a zip archive with {records.Count} data.pkl records ({string.Join(", ", records.Select(r => r.FullName))}): not a torch.save file.");
        string folder = records[0].FullName[..^"data.pkl".Length];
        if (zip.GetEntry(folder + "constants.pkl") is not null || entries.Any(e => e.FullName.StartsWith(folder + "code/", StringComparison.Ordinal)))
            throw new InvalidDataException("it is a TorchScript module (torch.jit.save), not a state dict; save model.state_dict() with torch.save.");
        if (zip.GetEntry(folder + "byteorder") is { } order)
        {
            string value = order.Length > 16 ? "(longer than 16 bytes)" : System.Text.Encoding.ASCII.GetString(ReadEntry(order, stream.Length)).Trim();
            if (value != "little") throw new InvalidDataException($"its byteorder record says '{value}'; only little-endian files are read.");
        }

        var pklEntry = records[0];
        if (pklEntry.Length > MaxPickleBytes)
            throw new InvalidDataException($"{pklEntry.FullName} claims {pklEntry.Length} bytes, more than a state dict's pickle (at most {MaxPickleBytes}).");
        var pickle = ReadEntry(pklEntry, stream.Length);
        var unpickler = new TorchUnpickler();
        var root = PickleReader.Load(new MemoryStream(pickle), pickle.Length, pklEntry.FullName, unpickler);
        var state = TorchStateDict.Find(root);

        foreach (var storage in state.Select(kv => kv.Value.Storage).Distinct())
        {
            string name = $"{folder}data/{storage.Key}";
            var entry = zip.GetEntry(name) ?? throw new InvalidDataException($"storage '{storage.Key}' is missing: the archive has no {name}.");
            if (entry.Length != storage.ByteLength)
                throw new InvalidDataException($"{name} has {entry.Length} bytes, but its {storage.Numel} {storage.DType} elements need {storage.ByteLength}.");
            storage.Attach(ReadEntry(entry, stream.Length));
        }
        return state.Select(kv => new KeyValuePair<string, Tensor>(kv.Key, kv.Value.ToTensor())).ToList();
    }

    /// <summary>The archive and its entries, as its central directory lists them.</summary>
    private static ZipArchive Open(Stream stream, out IReadOnlyList<ZipArchiveEntry> entries)
    {
        ZipArchive? zip = null;
        try
        {
            zip = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true);
            entries = zip.Entries.ToList(); // reads the central directory
            return zip;
        }
        catch (InvalidDataException e)
        {
            zip?.Dispose();
            throw new InvalidDataException($"the zip archive is truncated or damaged: {e.Message}", e);
        }
    }

    /// <summary>The bytes of <paramref name="entry"/>, once its sizes are checked against the archive's, checked against its CRC-32.</summary>
    private static byte[] ReadEntry(ZipArchiveEntry entry, long archiveBytes)
    {
        long length = entry.Length;
        if (entry.CompressedLength > archiveBytes || length > entry.CompressedLength * MaxDeflateRatio + 1024)
            throw new InvalidDataException($"{entry.FullName} claims {length} bytes from {entry.CompressedLength} compressed, more than the archive holds.");
        var bytes = new byte[length];
        try
        {
            using var s = entry.Open();
            s.ReadExactly(bytes);
        }
        catch (EndOfStreamException) { throw new InvalidDataException($"{entry.FullName} ends before its {length} bytes."); }
        catch (Exception e) when (e is InvalidDataException or NotSupportedException) { throw new InvalidDataException($"{entry.FullName} cannot be read: {e.Message}", e); }
        if (Crc32.HashToUInt32(bytes) != entry.Crc32)
            throw new InvalidDataException($"{entry.FullName} fails its CRC-32 check: the file is corrupted.");
        return bytes;
    }
}
