namespace OctaveML.Pipeline;

/// <summary>Reads one value of the current row into <paramref name="value"/> (ML.NET's <c>ValueGetter</c>).</summary>
public delegate void ValueGetter<TValue>(ref TValue value);

/// <summary>
/// Moves over the rows of a data view (ML.NET's <c>DataViewRowCursor</c>): call <see cref="MoveNext"/>,
/// then read columns through <see cref="GetGetter"/> or <see cref="GetValue"/>. Not thread-safe.
/// </summary>
public sealed class DataViewRowCursor : IDisposable
{
    private readonly IEnumerator<object?[]> _rows;
    private object?[]? _current;

    internal DataViewRowCursor(DataViewSchema schema, IEnumerable<object?[]> rows)
    {
        Schema = schema;
        _rows = rows.GetEnumerator();
    }

    /// <summary>The schema of the rows.</summary>
    public DataViewSchema Schema { get; }

    /// <summary>The 0-based index of the current row (-1 before the first MoveNext).</summary>
    public long Position { get; private set; } = -1;

    /// <summary>Advances to the next row; false at the end.</summary>
    public bool MoveNext()
    {
        if (_rows.MoveNext()) { _current = _rows.Current; Position++; return true; }
        _current = null;
        return false;
    }

    /// <summary>A getter for <paramref name="column"/>, reading the current row each time it is called.</summary>
    public ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
    {
        CheckType<TValue>(column);
        return (ref TValue value) => value = GetValue<TValue>(column);
    }

    /// <summary>The value of <paramref name="column"/> in the current row.</summary>
    public TValue GetValue<TValue>(DataViewSchema.Column column)
    {
        CheckType<TValue>(column);
        var row = _current ?? throw new InvalidOperationException("the cursor is not on a row; call MoveNext first and check that it returned true.");
        return (TValue)row[column.Index]!;
    }

    /// <summary>The current row's values by column index (internal plumbing of the views).</summary>
    internal object?[] Current => _current ?? throw new InvalidOperationException("the cursor is not on a row.");

    private void CheckType<TValue>(DataViewSchema.Column column)
    {
        ArgumentNullException.ThrowIfNull(column);
        if (column.Index >= Schema.Count || !ReferenceEquals(Schema[column.Index], column) && Schema[column.Index].Name != column.Name)
            throw new ArgumentException($"column '{column.Name}' is not in this cursor's schema ({Schema}).", nameof(column));
        if (typeof(TValue) != column.Type.RawType)
            throw new InvalidOperationException($"column '{column.Name}' holds {column.Type.RawType.Name} values ({column.Type}); it was read as {typeof(TValue).Name}.");
    }

    /// <inheritdoc/>
    public void Dispose() => _rows.Dispose();
}
