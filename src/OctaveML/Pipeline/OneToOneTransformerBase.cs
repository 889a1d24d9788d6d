using System.Text.Json.Nodes;

namespace OctaveML.Pipeline;

/// <summary>
/// A transformer that computes each output column from one input column, row by row (ML.NET's
/// <c>OneToOneTransformerBase</c>): key mapping, image loading, resizing, pixel extraction.
/// </summary>
public abstract class OneToOneTransformerBase : ITransformer
{
    private readonly (string OutputColumnName, string InputColumnName)[] _columns;

    private protected OneToOneTransformerBase((string OutputColumnName, string InputColumnName)[] columns)
    {
        ArgumentNullException.ThrowIfNull(columns);
        if (columns.Length == 0) throw new ArgumentException("at least one column pair is needed.", nameof(columns));
        foreach (var (o, i) in columns)
        {
            if (string.IsNullOrEmpty(o)) throw new ArgumentException("an output column name is empty.", nameof(columns));
            if (string.IsNullOrEmpty(i)) throw new ArgumentException($"the input column name for '{o}' is empty.", nameof(columns));
        }
        _columns = (columns.Clone() as (string, string)[])!;
    }

    /// <summary>The (output, input) column pairs.</summary>
    public IReadOnlyList<(string OutputColumnName, string InputColumnName)> Columns => _columns;

    /// <summary>What the output column of pair <paramref name="pair"/> is, given its input column; throws naming the column on a wrong type.</summary>
    private protected abstract (DataViewType Type, IReadOnlyList<string>? KeyValues) OutputColumnType(DataViewSchema.Column input, int pair);

    /// <summary>The per-row function computing the output value of pair <paramref name="pair"/> from the input value.</summary>
    private protected abstract Func<object?, object?> MakeMapper(DataViewSchema.Column input, int pair);

    /// <summary>The step's kind and parameters, for model files.</summary>
    internal abstract string Kind { get; }

    /// <summary>Writes the step's own parameters (the column pairs are written by the caller).</summary>
    internal abstract void SaveParameters(JsonObject parameters);

    /// <inheritdoc/>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        var builder = new DataViewSchema.Builder().AddColumns(inputSchema);
        for (int p = 0; p < _columns.Length; p++)
        {
            var (type, keys) = OutputColumnType(Input(inputSchema, p), p);
            builder.AddColumn(_columns[p].OutputColumnName, type, keys);
        }
        return builder.ToSchema();
    }

    /// <inheritdoc/>
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var added = new List<(string, DataViewType, IReadOnlyList<string>?)>();
        var inputs = new int[_columns.Length];
        var mappers = new Func<object?, object?>[_columns.Length];
        for (int p = 0; p < _columns.Length; p++)
        {
            var column = Input(input.Schema, p);
            var (type, keys) = OutputColumnType(column, p);
            added.Add((_columns[p].OutputColumnName, type, keys));
            inputs[p] = column.Index;
            mappers[p] = MakeMapper(column, p);
        }
        return DataViewRows.AddColumns(input, added, row =>
        {
            var values = new object?[inputs.Length];
            for (int p = 0; p < inputs.Length; p++) values[p] = mappers[p](row[inputs[p]]);
            return values;
        });
    }

    private protected string StepName => GetType().Name;

    private DataViewSchema.Column Input(DataViewSchema schema, int pair) =>
        schema.GetColumnOrNull(_columns[pair].InputColumnName)
        ?? throw schema.MissingColumn(_columns[pair].InputColumnName, "inputColumnName", $"{StepName}'s input");

    private protected ArgumentOutOfRangeException WrongType(DataViewSchema.Column column, string expected) =>
        new("inputColumnName", column.Name, $"{StepName}'s input column '{column.Name}' has type {column.Type}; expected {expected}.");
}
