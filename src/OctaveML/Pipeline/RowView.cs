namespace OctaveML.Pipeline;

/// <summary>
/// The one data view implementation: a schema and a function that streams rows (one object per
/// column, by column index). Loaders, splits, caches and transforms all build these.
/// </summary>
internal sealed class RowView : IDataView
{
    private readonly Func<IEnumerable<object?[]>> _rows;
    private readonly Func<long?> _count;

    public RowView(DataViewSchema schema, Func<IEnumerable<object?[]>> rows, Func<long?> count)
    {
        Schema = schema; _rows = rows; _count = count;
    }

    public DataViewSchema Schema { get; }

    public bool CanShuffle => false;

    public long? GetRowCount() => _count();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded)
    {
        ArgumentNullException.ThrowIfNull(columnsNeeded);
        return new DataViewRowCursor(Schema, _rows());
    }

    public IEnumerable<object?[]> Rows() => _rows();
}

/// <summary>Row plumbing shared by the pipeline.</summary>
internal static class DataViewRows
{
    /// <summary>The rows of any view, as value arrays by column index.</summary>
    public static IEnumerable<object?[]> Rows(this IDataView view)
    {
        if (view is RowView rv) return rv.Rows();
        return Read(view);

        static IEnumerable<object?[]> Read(IDataView view)
        {
            using var cursor = view.GetRowCursor(view.Schema);
            while (cursor.MoveNext()) yield return cursor.Current;
        }
    }

    /// <summary>
    /// A view with the columns of <paramref name="source"/> plus (or replacing) those of
    /// <paramref name="added"/>, each computed by <paramref name="map"/> from a source row.
    /// </summary>
    public static RowView AddColumns(IDataView source, IReadOnlyList<(string Name, DataViewType Type, IReadOnlyList<string>? KeyValues)> added,
        Func<object?[], object?[]> map)
    {
        var builder = new DataViewSchema.Builder().AddColumns(source.Schema);
        foreach (var (name, type, keys) in added) builder.AddColumn(name, type, keys);
        var schema = builder.ToSchema();
        int[] slots = added.Select(a => schema[a.Name].Index).ToArray();
        return new RowView(schema, () => Map(source, schema.Count, slots, map), source.GetRowCount);

        static IEnumerable<object?[]> Map(IDataView source, int width, int[] slots, Func<object?[], object?[]> map)
        {
            foreach (var row in source.Rows())
            {
                var values = map(row);
                var output = new object?[width];
                Array.Copy(row, output, row.Length);
                for (int i = 0; i < slots.Length; i++) output[slots[i]] = values[i];
                yield return output;
            }
        }
    }
}
