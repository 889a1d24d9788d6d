using System.Text.Json.Nodes;

namespace OctaveML.Pipeline;

/// <summary>
/// Maps key columns back to their values (ML.NET's <c>MapKeyToValue</c>): nothing to learn, the
/// key values come with the column. Key 0 (missing) becomes the empty string.
/// </summary>
public sealed class KeyToValueMappingEstimator : IEstimator<KeyToValueMappingTransformer>
{
    private readonly (string Output, string Input)[] _columns;

    internal KeyToValueMappingEstimator((string Output, string Input)[] columns) => _columns = columns;

    /// <summary>Checks the columns are keys with values and returns the transformer.</summary>
    public KeyToValueMappingTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var transformer = new KeyToValueMappingTransformer(_columns);
        transformer.GetOutputSchema(input.Schema);
        return transformer;
    }
}

/// <summary>Replaces keys by their text values (see <see cref="KeyToValueMappingEstimator"/>).</summary>
public sealed class KeyToValueMappingTransformer : OneToOneTransformerBase
{
    internal KeyToValueMappingTransformer((string Output, string Input)[] columns) : base(columns) { }

    private protected override (DataViewType Type, IReadOnlyList<string>? KeyValues) OutputColumnType(DataViewSchema.Column input, int pair)
    {
        if (input.Type is not KeyDataViewType || input.KeyValues is null)
            throw WrongType(input, "a key column with key values (made by MapValueToKey, or a trainer's PredictedLabel)");
        return (TextDataViewType.Instance, null);
    }

    private protected override Func<object?, object?> MakeMapper(DataViewSchema.Column input, int pair)
    {
        var values = input.KeyValues!;
        return v => v is uint key && key >= 1 && key <= values.Count ? values[(int)key - 1] : "";
    }

    internal override string Kind => "KeyToValueMapping";

    internal override void SaveParameters(JsonObject parameters) { }
}
