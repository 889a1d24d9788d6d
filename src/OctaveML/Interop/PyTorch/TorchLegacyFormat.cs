using System.Buffers.Binary;
using System.Numerics;
using OctaveML.Interop.Pickle;
using OctaveML.Tensors;

namespace OctaveML.Interop.PyTorch;

/// <summary>
/// torch.save's legacy format (before PyTorch 1.6, and _use_new_zipfile_serialization=False): five
/// pickles in a row (the magic number, the protocol version 1001, a sys-info dict, the object whose
/// tensors name their storages by key, the list of storage keys), then every storage of that list in
/// its order, each an int64 element count and the raw little-endian bytes. Every storage's length is
/// checked against the bytes left in the file before it is read or skipped.
/// </summary>
internal static class TorchLegacyFormat
{
    private const long ProtocolVersion = 1001;
    private static readonly BigInteger Magic = BigInteger.Parse("119547037146038801333356"); // 0x1950a86a20f9469cfc6c

    /// <summary>The state dict in the legacy file <paramref name="stream"/> (seekable, from its start).</summary>
    public static List<KeyValuePair<string, Tensor>> Read(Stream stream)
    {
        var unpickler = new TorchUnpickler();
        object? Next(string what) => PickleReader.Load(stream, stream.Length - stream.Position, what, unpickler);

        if (!(Next("the magic number") is BigInteger magic && magic == Magic))
            throw new InvalidDataException("a pickle that does not start with torch.save's magic number: not a torch.save file.");
        if (Next("the protocol version") is not ProtocolVersion and var version)
            throw new InvalidDataException($"legacy protocol version {version}, expected {ProtocolVersion}.");
        if (Next("the system information") is not PickleDict sysInfo)
            throw new InvalidDataException("the system information pickle is not a dict.");
        if (sysInfo.TryGetValue("little_endian", out var little) && little is not true)
            throw new InvalidDataException("it was written on a big-endian machine; only little-endian files are read.");
        var root = Next("the object pickle");
        if (Next("the storage key list") is not List<object?> keys || keys.Any(k => k is not string))
            throw new InvalidDataException("the storage key list is not a list of strings.");
        var state = TorchStateDict.Find(root);

        var needed = state.Select(kv => kv.Value.Storage).ToHashSet();
        Span<byte> count = stackalloc byte[8];
        foreach (string key in keys.Cast<string>())
        {
            if (!unpickler.Storages.TryGetValue(key, out var storage))
                throw new InvalidDataException($"the storage key list names '{key}', which no tensor uses.");
            long at = stream.Position;
            try { stream.ReadExactly(count); }
            catch (EndOfStreamException) { throw new InvalidDataException($"the file ends at byte {at}, before storage '{key}'."); }
            long numel = BinaryPrimitives.ReadInt64LittleEndian(count);
            if (numel != storage.Numel)
                throw new InvalidDataException($"storage '{key}' at byte {at} holds {numel} elements, the pickle says {storage.Numel}.");
            long left = stream.Length - stream.Position;
            if (storage.ByteLength > left)
                throw new InvalidDataException($"the file ends inside storage '{key}' at byte {at}: it needs {storage.ByteLength} bytes, {left} are left.");
            if (needed.Remove(storage))
            {
                var bytes = new byte[storage.ByteLength];
                stream.ReadExactly(bytes);
                storage.Attach(bytes);
            }
            else stream.Seek(storage.ByteLength, SeekOrigin.Current);
        }
        if (needed.Count > 0)
            throw new InvalidDataException($"storage '{needed.First().Key}' of the state dict is not in the storage key list.");
        return state.Select(kv => new KeyValuePair<string, Tensor>(kv.Key, kv.Value.ToTensor())).ToList();
    }
}
