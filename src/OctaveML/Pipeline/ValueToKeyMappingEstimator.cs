using System.Globalization;
using System.Text.Json.Nodes;

namespace OctaveML.Pipeline;

/// <summary>
/// Learns the distinct values of text, number or boolean columns and maps them to keys 1..N
/// (ML.NET's <c>MapValueToKey</c>): ordered by first occurrence (the default, as ML.NET) or by value.
/// </summary>
public sealed class ValueToKeyMappingEstimator : IEstimator<ValueToKeyMappingTransformer>
{
    /// <summary>How keys are numbered (ML.NET's <c>ValueToKeyMappingEstimator.KeyOrdinality</c>).</summary>
    public enum KeyOrdinality
    {
        /// <summary>In the order the values first appear in the data.</summary>
        ByOccurrence,
        /// <summary>In value order (ordinal for text, numeric for numbers).</summary>
        ByValue,
    }

    private readonly (string Output, string Input)[] _columns;
    private readonly int _maximumNumberOfKeys;
    private readonly KeyOrdinality _keyOrdinality;

    internal ValueToKeyMappingEstimator((string Output, string Input)[] columns, int maximumNumberOfKeys, KeyOrdinality keyOrdinality)
    {
        if (maximumNumberOfKeys < 1)
            throw new ArgumentOutOfRangeException(nameof(maximumNumberOfKeys), maximumNumberOfKeys, "maximumNumberOfKeys must be at least 1.");
        _columns = columns; _maximumNumberOfKeys = maximumNumberOfKeys; _keyOrdinality = keyOrdinality;
    }

    /// <summary>Reads the input columns once and builds each one's key values.</summary>
    public ValueToKeyMappingTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var indices = new int[_columns.Length];
        var numeric = new bool[_columns.Length];
        for (int p = 0; p < _columns.Length; p++)
        {
            var column = input.Schema.GetColumnOrNull(_columns[p].Input)
                ?? throw input.Schema.MissingColumn(_columns[p].Input, "inputColumnName", "MapValueToKey's input");
            if (!ValueToKeyMappingTransformer.IsKeyable(column.Type))
                throw new ArgumentOutOfRangeException("inputColumnName", column.Name, $"MapValueToKey's input column '{column.Name}' has type {column.Type}; expected text, a number or a boolean.");
            indices[p] = column.Index;
            numeric[p] = column.Type is NumberDataViewType;
        }
        var seen = _columns.Select(_ => new List<(string Text, object Value)>()).ToArray();
        var sets = _columns.Select(_ => new HashSet<string>(StringComparer.Ordinal)).ToArray();
        foreach (var row in input.Rows())
            for (int p = 0; p < _columns.Length; p++)
            {
                if (row[indices[p]] is not { } value) continue;
                string text = ValueToKeyMappingTransformer.Text(value);
                if (sets[p].Count < _maximumNumberOfKeys && sets[p].Add(text)) seen[p].Add((text, value));
            }
        var keys = new string[_columns.Length][];
        for (int p = 0; p < _columns.Length; p++)
        {
            if (seen[p].Count == 0)
                throw new ArgumentException($"MapValueToKey found no values in column '{_columns[p].Input}': the data is empty or the column holds only missing values.", nameof(input));
            IEnumerable<(string Text, object Value)> ordered = seen[p];
            if (_keyOrdinality == KeyOrdinality.ByValue)
                ordered = numeric[p] ? ordered.OrderBy(v => Convert.ToDouble(v.Value, CultureInfo.InvariantCulture)) : ordered.OrderBy(v => v.Text, StringComparer.Ordinal);
            keys[p] = ordered.Select(v => v.Text).ToArray();
        }
        return new ValueToKeyMappingTransformer(_columns, keys);
    }
}

/// <summary>
/// Maps values to keys learnt by <see cref="ValueToKeyMappingEstimator"/>: key k (1-based, uint) for the
/// k-th key value, 0 for a value not seen in training. The key values travel with the column
/// (<see cref="DataViewSchema.Column.KeyValues"/>) so MapKeyToValue and the trainers can name classes.
/// </summary>
public sealed class ValueToKeyMappingTransformer : OneToOneTransformerBase
{
    private readonly string[][] _keyValues;
    private readonly Dictionary<string, uint>[] _lookup;

    internal ValueToKeyMappingTransformer((string Output, string Input)[] columns, string[][] keyValues) : base(columns)
    {
        _keyValues = keyValues;
        _lookup = keyValues.Select(k => k.Select((v, i) => (v, i)).ToDictionary(x => x.v, x => (uint)(x.i + 1), StringComparer.Ordinal)).ToArray();
    }

    /// <summary>The key values of each column pair, in key order (key k is element k - 1).</summary>
    public IReadOnlyList<IReadOnlyList<string>> KeyValues => _keyValues;

    internal static bool IsKeyable(DataViewType type) => type is TextDataViewType or NumberDataViewType or BooleanDataViewType;

    internal static string Text(object value) => value switch
    {
        string s => s,
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    private protected override (DataViewType Type, IReadOnlyList<string>? KeyValues) OutputColumnType(DataViewSchema.Column input, int pair)
    {
        if (!IsKeyable(input.Type)) throw WrongType(input, "text, a number or a boolean");
        return (new KeyDataViewType((ulong)_keyValues[pair].Length), _keyValues[pair]);
    }

    private protected override Func<object?, object?> MakeMapper(DataViewSchema.Column input, int pair)
    {
        var lookup = _lookup[pair];
        return v => v is null ? 0u : lookup.TryGetValue(Text(v), out uint key) ? key : 0u;
    }

    internal override string Kind => "ValueToKeyMapping";

    internal override void SaveParameters(JsonObject parameters) =>
        parameters["keyValues"] = new JsonArray(_keyValues.Select(k => (JsonNode)new JsonArray(k.Select(v => (JsonNode)JsonValue.Create(v)!).ToArray())).ToArray());

    internal static ValueToKeyMappingTransformer Load((string, string)[] columns, JsonObject parameters) =>
        new(columns, parameters["keyValues"]!.AsArray().Select(k => k!.AsArray().Select(v => v!.GetValue<string>()).ToArray()).ToArray());
}
