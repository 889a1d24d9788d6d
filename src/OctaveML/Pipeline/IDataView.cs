namespace OctaveML.Pipeline;

/// <summary>
/// A table of rows read lazily, with a schema of named, typed columns (ML.NET's <c>IDataView</c>).
/// Views are immutable and may be read many times; transforms compose them without copying, and
/// values (decoded images, pixels, scores) are computed as a cursor reaches each row.
/// </summary>
public interface IDataView
{
    /// <summary>The columns of every row.</summary>
    DataViewSchema Schema { get; }

    /// <summary>Whether <see cref="GetRowCursor"/> may visit rows in random order (false here: order is fixed).</summary>
    bool CanShuffle { get; }

    /// <summary>The number of rows when known without reading them, else null.</summary>
    long? GetRowCount();

    /// <summary>
    /// A cursor over the rows, in order. <paramref name="columnsNeeded"/> lists the columns the
    /// caller will read (ML.NET's contract); a view may compute only those.
    /// </summary>
    DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded);
}
