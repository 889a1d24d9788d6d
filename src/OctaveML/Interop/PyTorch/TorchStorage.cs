namespace OctaveML.Interop.PyTorch;

/// <summary>
/// One storage of a torch.save file, as its persistent id describes it: a key (the zip entry
/// data/&lt;key&gt;, or the legacy format's record key), a dtype and an element count. Its bytes are
/// attached once read, after their length has been checked against the count.
/// </summary>
internal sealed class TorchStorage
{
    /// <summary>A storage of <paramref name="numel"/> elements; larger than an array holds is refused.</summary>
    public TorchStorage(string key, TorchDType dtype, long numel)
    {
        if (numel < 0 || numel > Array.MaxLength / dtype.Size())
            throw new InvalidDataException($"storage '{key}' claims {numel} {dtype} elements, more than a storage the reader can hold.");
        Key = key; DType = dtype; Numel = numel;
    }

    /// <summary>The storage key.</summary>
    public string Key { get; }

    /// <summary>The element type.</summary>
    public TorchDType DType { get; }

    /// <summary>The element count.</summary>
    public long Numel { get; }

    /// <summary>The byte length of the data (Numel times the element size).</summary>
    public int ByteLength => (int)(Numel * DType.Size());

    /// <summary>The little-endian element bytes, once read.</summary>
    public byte[]? Data { get; private set; }

    /// <summary>"storage", the Python type name in messages.</summary>
    public override string ToString() => "storage";

    /// <summary>Attaches the bytes read for this storage.</summary>
    public void Attach(byte[] data)
    {
        if (data.Length != ByteLength)
            throw new InvalidDataException($"storage '{Key}' has {data.Length} bytes, its {Numel} {DType} elements need {ByteLength}.");
        Data = data;
    }
}
