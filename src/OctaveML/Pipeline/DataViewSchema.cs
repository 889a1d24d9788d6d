using System.Collections;

namespace OctaveML.Pipeline;

/// <summary>
/// The columns of a data view, in order (ML.NET's <c>DataViewSchema</c>). Column names are unique: a
/// transform that writes a column named like an existing one replaces it at the same position
/// (where ML.NET would hide the old column).
/// </summary>
public sealed class DataViewSchema : IReadOnlyList<DataViewSchema.Column>
{
    private readonly Column[] _columns;
    private readonly Dictionary<string, int> _byName;

    /// <summary>One column: name, position, type and, for key columns, the values behind the keys.</summary>
    public sealed class Column
    {
        internal Column(string name, int index, DataViewType type, IReadOnlyList<string>? keyValues)
        {
            Name = name; Index = index; Type = type; KeyValues = keyValues;
        }

        /// <summary>The column's name.</summary>
        public string Name { get; }

        /// <summary>The column's position in its schema.</summary>
        public int Index { get; }

        /// <summary>The column's type.</summary>
        public DataViewType Type { get; }

        /// <summary>
        /// For a key column, the value of each key (key k is KeyValues[k - 1]): ML.NET's "KeyValues"
        /// annotation. Null otherwise.
        /// </summary>
        public IReadOnlyList<string>? KeyValues { get; }

        /// <inheritdoc/>
        public override string ToString() => $"{Name}: {Type}";
    }

    /// <summary>Builds schemas column by column (ML.NET's <c>DataViewSchema.Builder</c>).</summary>
    public sealed class Builder
    {
        private readonly List<(string Name, DataViewType Type, IReadOnlyList<string>? KeyValues)> _columns = new();

        /// <summary>Adds a column, or replaces the column of the same name in place.</summary>
        public Builder AddColumn(string name, DataViewType type, IReadOnlyList<string>? keyValues = null)
        {
            ArgumentException.ThrowIfNullOrEmpty(name);
            ArgumentNullException.ThrowIfNull(type);
            if (keyValues is not null && type is not KeyDataViewType)
                throw new ArgumentException($"column '{name}' has key values but type {type}; only key columns have them.", nameof(keyValues));
            if (keyValues is not null && (ulong)keyValues.Count != ((KeyDataViewType)type).Count)
                throw new ArgumentException($"column '{name}' has {keyValues.Count} key values for {((KeyDataViewType)type).Count} keys.", nameof(keyValues));
            int at = _columns.FindIndex(c => c.Name == name);
            var entry = (name, type, keyValues?.ToArray());
            if (at >= 0) _columns[at] = entry; else _columns.Add(entry);
            return this;
        }

        /// <summary>Adds every one of <paramref name="columns"/>.</summary>
        public Builder AddColumns(IEnumerable<Column> columns)
        {
            foreach (var c in columns) AddColumn(c.Name, c.Type, c.KeyValues);
            return this;
        }

        /// <summary>The schema.</summary>
        public DataViewSchema ToSchema() => new(_columns.Select((c, i) => new Column(c.Name, i, c.Type, c.KeyValues)).ToArray());
    }

    private DataViewSchema(Column[] columns)
    {
        _columns = columns;
        _byName = columns.ToDictionary(c => c.Name, c => c.Index, StringComparer.Ordinal);
    }

    /// <summary>Number of columns.</summary>
    public int Count => _columns.Length;

    /// <summary>The column at <paramref name="columnIndex"/>.</summary>
    public Column this[int columnIndex] => _columns[columnIndex];

    /// <summary>The column named <paramref name="name"/>; throws an <see cref="ArgumentOutOfRangeException"/> listing the columns when there is none.</summary>
    public Column this[string name] => GetColumnOrNull(name) ?? throw MissingColumn(name, nameof(name));

    /// <summary>The column named <paramref name="name"/>, or null.</summary>
    public Column? GetColumnOrNull(string name) => _byName.TryGetValue(name, out int i) ? _columns[i] : null;

    /// <summary>"Name: Type, ..." for messages.</summary>
    public override string ToString() => string.Join(", ", _columns.Select(c => c.ToString()));

    /// <inheritdoc/>
    public IEnumerator<Column> GetEnumerator() => ((IEnumerable<Column>)_columns).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    internal ArgumentOutOfRangeException MissingColumn(string name, string paramName, string? role = null) =>
        new(paramName, name, $"{(role is null ? "" : role + " ")}column '{name}' not found; the data has {(Count == 0 ? "no columns" : "columns " + string.Join(", ", _columns.Select(c => $"'{c.Name}' ({c.Type})")))}.");

    /// <summary>The named column, checked to exist and to be of the expected kind; errors name both.</summary>
    internal Column Require(string name, string paramName, string role, Func<DataViewType, bool> ok, string expected)
    {
        var column = GetColumnOrNull(name) ?? throw MissingColumn(name, paramName, role);
        if (!ok(column.Type))
            throw new ArgumentOutOfRangeException(paramName, name, $"{role} column '{name}' has type {column.Type}; expected {expected}.");
        return column;
    }
}
