using System.Globalization;

namespace OctaveML.Pipeline;

/// <summary>Column types as short strings for model files: "String", "Key:3", "Vector:Single:3,32,32", "Image:32,32".</summary>
internal static class DataViewTypeCodec
{
    public static string Encode(DataViewType type) => type switch
    {
        TextDataViewType => "String",
        BooleanDataViewType => "Boolean",
        NumberDataViewType n => n.RawType.Name,
        KeyDataViewType k => "Key:" + k.Count.ToString(CultureInfo.InvariantCulture),
        VectorDataViewType v => "Vector:" + v.ItemType.RawType.Name + (v.IsKnownSize ? ":" + string.Join(",", v.Dimensions) : ""),
        ImageDataViewType i => i.Height == 0 ? "Image" : $"Image:{i.Height},{i.Width}",
        _ => throw new ArgumentException($"column type {type} cannot be saved.", nameof(type)),
    };

    public static DataViewType Decode(string text)
    {
        var parts = text.Split(':');
        int[] Dims(string s) => s.Split(',').Select(d => int.Parse(d, CultureInfo.InvariantCulture)).ToArray();
        return parts[0] switch
        {
            "String" => TextDataViewType.Instance,
            "Boolean" => BooleanDataViewType.Instance,
            "Key" => new KeyDataViewType(ulong.Parse(parts[1], CultureInfo.InvariantCulture)),
            "Vector" => new VectorDataViewType(Number(parts[1]), parts.Length > 2 ? Dims(parts[2]) : []),
            "Image" => parts.Length > 1 ? new ImageDataViewType(Dims(parts[1])[0], Dims(parts[1])[1]) : new ImageDataViewType(),
            _ => Number(parts[0]),
        };

        static NumberDataViewType Number(string name) =>
            new[] { NumberDataViewType.Single, NumberDataViewType.Double, NumberDataViewType.Int32, NumberDataViewType.Int64, NumberDataViewType.Byte, NumberDataViewType.UInt32 }
                .FirstOrDefault(n => n.RawType.Name == name) ?? throw new FormatException($"unknown column type '{name}'.");
    }
}
