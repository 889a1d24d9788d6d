namespace OctaveML.Pipeline;

/// <summary>Maps a property to the data view column of another name (ML.NET's <c>ColumnNameAttribute</c>).</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class ColumnNameAttribute : Attribute
{
    /// <summary>The property is read from and written to column <paramref name="name"/>.</summary>
    public ColumnNameAttribute(string name) => Name = name;

    /// <summary>The column's name.</summary>
    public string Name { get; }
}

/// <summary>Gives a float[]/byte[] property a fixed vector shape (ML.NET's <c>VectorTypeAttribute</c>).</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class VectorTypeAttribute : Attribute
{
    /// <summary>The vector's dimensions (e.g. 3, 224, 224).</summary>
    public VectorTypeAttribute(params int[] dimensions) => Dimensions = dimensions;

    /// <summary>The dimensions.</summary>
    public int[] Dimensions { get; }
}

/// <summary>Keeps a property out of the data view (ML.NET's <c>NoColumnAttribute</c>).</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class NoColumnAttribute : Attribute;
