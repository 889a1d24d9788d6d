using OctaveML.Imaging;

namespace OctaveML.Pipeline;

/// <summary>
/// The type of a data view column (ML.NET's <c>DataViewType</c>): its .NET value type
/// (<see cref="RawType"/>) plus what the pipeline must know about it (key count, vector shape).
/// </summary>
public abstract class DataViewType : IEquatable<DataViewType>
{
    private protected DataViewType(Type rawType) => RawType = rawType;

    /// <summary>The .NET type of a value in this column.</summary>
    public Type RawType { get; }

    /// <inheritdoc/>
    public abstract bool Equals(DataViewType? other);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is DataViewType t && Equals(t);

    /// <inheritdoc/>
    public override int GetHashCode() => RawType.GetHashCode();

    /// <summary>The type for a .NET value type, or null when no column can hold it.</summary>
    internal static DataViewType? FromRawType(Type type) =>
        type == typeof(string) ? TextDataViewType.Instance
        : type == typeof(bool) ? BooleanDataViewType.Instance
        : NumberDataViewType.FromNumberType(type) is { } number ? number
        : type == typeof(Image) ? new ImageDataViewType()
        : type.IsArray && type.GetArrayRank() == 1 && NumberDataViewType.FromNumberType(type.GetElementType()!) is { } item ? new VectorDataViewType(item)
        : null;
}

/// <summary>Text (<see cref="string"/>) columns.</summary>
public sealed class TextDataViewType : DataViewType
{
    private TextDataViewType() : base(typeof(string)) { }

    /// <summary>The one text type.</summary>
    public static TextDataViewType Instance { get; } = new();

    /// <inheritdoc/>
    public override bool Equals(DataViewType? other) => other is TextDataViewType;

    /// <inheritdoc/>
    public override string ToString() => "String";
}

/// <summary>Boolean columns.</summary>
public sealed class BooleanDataViewType : DataViewType
{
    private BooleanDataViewType() : base(typeof(bool)) { }

    /// <summary>The one boolean type.</summary>
    public static BooleanDataViewType Instance { get; } = new();

    /// <inheritdoc/>
    public override bool Equals(DataViewType? other) => other is BooleanDataViewType;

    /// <inheritdoc/>
    public override string ToString() => "Boolean";
}

/// <summary>Numeric columns: <see cref="float"/>, <see cref="double"/>, <see cref="int"/>, <see cref="long"/>, <see cref="byte"/>, <see cref="uint"/>.</summary>
public sealed class NumberDataViewType : DataViewType
{
    private NumberDataViewType(Type t) : base(t) { }

    /// <summary>float.</summary>
    public static NumberDataViewType Single { get; } = new(typeof(float));
    /// <summary>double.</summary>
    public static NumberDataViewType Double { get; } = new(typeof(double));
    /// <summary>int.</summary>
    public static NumberDataViewType Int32 { get; } = new(typeof(int));
    /// <summary>long.</summary>
    public static NumberDataViewType Int64 { get; } = new(typeof(long));
    /// <summary>byte.</summary>
    public static NumberDataViewType Byte { get; } = new(typeof(byte));
    /// <summary>uint.</summary>
    public static NumberDataViewType UInt32 { get; } = new(typeof(uint));

    internal static NumberDataViewType? FromNumberType(Type t) =>
        t == typeof(float) ? Single : t == typeof(double) ? Double : t == typeof(int) ? Int32
        : t == typeof(long) ? Int64 : t == typeof(byte) ? Byte : t == typeof(uint) ? UInt32 : null;

    /// <inheritdoc/>
    public override bool Equals(DataViewType? other) => other is NumberDataViewType n && n.RawType == RawType;

    /// <inheritdoc/>
    public override string ToString() => RawType.Name;
}

/// <summary>
/// Key columns (ML.NET's <c>KeyDataViewType</c>): <see cref="uint"/> values, 1..<see cref="Count"/> for
/// the categories in the column's key values and 0 for a missing value.
/// </summary>
public sealed class KeyDataViewType : DataViewType
{
    /// <summary>A key type with <paramref name="count"/> categories.</summary>
    public KeyDataViewType(ulong count) : base(typeof(uint))
    {
        if (count == 0) throw new ArgumentOutOfRangeException(nameof(count), count, "count must be at least 1.");
        Count = count;
    }

    /// <summary>The number of categories.</summary>
    public ulong Count { get; }

    /// <inheritdoc/>
    public override bool Equals(DataViewType? other) => other is KeyDataViewType k && k.Count == Count;

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(typeof(KeyDataViewType), Count);

    /// <inheritdoc/>
    public override string ToString() => $"Key<UInt32, 0-{Count - 1}>";
}

/// <summary>
/// Vector columns of numbers, held as a .NET array of the item type (ML.NET uses VBuffer; here
/// float[] or byte[]). <see cref="Dimensions"/> is the shape (e.g. [C, H, W] for pixels); an empty
/// shape means the size is not known in advance.
/// </summary>
public sealed class VectorDataViewType : DataViewType
{
    private readonly int[] _dimensions;

    /// <summary>A vector of <paramref name="itemType"/> with the given shape (none = unknown size).</summary>
    public VectorDataViewType(NumberDataViewType itemType, params int[] dimensions) : base(itemType.RawType.MakeArrayType())
    {
        ArgumentNullException.ThrowIfNull(itemType);
        foreach (int d in dimensions)
            if (d <= 0) throw new ArgumentOutOfRangeException(nameof(dimensions), d, "every dimension must be positive.");
        ItemType = itemType;
        _dimensions = (int[])dimensions.Clone();
    }

    /// <summary>The type of each element.</summary>
    public NumberDataViewType ItemType { get; }

    /// <summary>The shape; empty when the size is unknown.</summary>
    public IReadOnlyList<int> Dimensions => _dimensions;

    /// <summary>The number of elements (product of the dimensions), or 0 when unknown.</summary>
    public int Size => _dimensions.Length == 0 ? 0 : _dimensions.Aggregate(1, (a, b) => a * b);

    /// <summary>Whether <see cref="Size"/> is known.</summary>
    public bool IsKnownSize => _dimensions.Length > 0;

    /// <inheritdoc/>
    public override bool Equals(DataViewType? other) =>
        other is VectorDataViewType v && v.ItemType.Equals(ItemType) && v._dimensions.AsSpan().SequenceEqual(_dimensions);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(ItemType, Size);

    /// <inheritdoc/>
    public override string ToString() => $"Vector<{ItemType}{(IsKnownSize ? ", " + string.Join(", ", _dimensions) : "")}>";
}

/// <summary>
/// Image columns (ML.NET's <c>ImageDataViewType</c>): <see cref="Image"/> values, with a fixed size
/// once resized (<see cref="Height"/> and <see cref="Width"/> 0 when they vary).
/// </summary>
public sealed class ImageDataViewType : DataViewType
{
    /// <summary>An image type of fixed size, or of any size with both 0.</summary>
    public ImageDataViewType(int height = 0, int width = 0) : base(typeof(Image))
    {
        if (height < 0 || width < 0 || (height == 0) != (width == 0))
            throw new ArgumentOutOfRangeException(nameof(height), $"height and width must both be positive, or both 0 for any size (got {height} x {width}).");
        Height = height; Width = width;
    }

    /// <summary>Height in pixels (0 = varies).</summary>
    public int Height { get; }

    /// <summary>Width in pixels (0 = varies).</summary>
    public int Width { get; }

    /// <inheritdoc/>
    public override bool Equals(DataViewType? other) => other is ImageDataViewType i && i.Height == Height && i.Width == Width;

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(typeof(ImageDataViewType), Height, Width);

    /// <inheritdoc/>
    public override string ToString() => Height == 0 ? "Image" : $"Image<{Height}, {Width}>";
}
