namespace OctaveML.Interop.PyTorch;

/// <summary>The tensor element types the reader converts to float32, named as PyTorch names them.</summary>
internal enum TorchDType
{
    Float32, Float64, Float16, BFloat16, Int64, Int32, Int16, Int8, UInt8, Bool,
}

/// <summary>Sizes, names and storage classes of <see cref="TorchDType"/>.</summary>
internal static class TorchDTypes
{
    /// <summary>The storage classes torch.save names (torch.FloatStorage ...), by class name.</summary>
    private static readonly Dictionary<string, TorchDType> StorageClasses = new(StringComparer.Ordinal)
    {
        ["FloatStorage"] = TorchDType.Float32, ["DoubleStorage"] = TorchDType.Float64,
        ["HalfStorage"] = TorchDType.Float16, ["BFloat16Storage"] = TorchDType.BFloat16,
        ["LongStorage"] = TorchDType.Int64, ["IntStorage"] = TorchDType.Int32,
        ["ShortStorage"] = TorchDType.Int16, ["CharStorage"] = TorchDType.Int8,
        ["ByteStorage"] = TorchDType.UInt8, ["BoolStorage"] = TorchDType.Bool,
        // An untyped storage is bytes (PyTorch loads it as uint8).
        ["UntypedStorage"] = TorchDType.UInt8,
    };

    /// <summary>The dtype of storage class <paramref name="name"/> (torch.&lt;name&gt;), if it is one the reader converts.</summary>
    public static bool TryFromStorageClass(string name, out TorchDType dtype) => StorageClasses.TryGetValue(name, out dtype);

    /// <summary>The supported dtypes, for messages.</summary>
    public static string Supported => "float32, float64, float16, bfloat16, int64, int32, int16, int8, uint8, bool";

    /// <summary>Bytes per element.</summary>
    public static int Size(this TorchDType dtype) => dtype switch
    {
        TorchDType.Float64 or TorchDType.Int64 => 8,
        TorchDType.Float32 or TorchDType.Int32 => 4,
        TorchDType.Float16 or TorchDType.BFloat16 or TorchDType.Int16 => 2,
        _ => 1,
    };
}
