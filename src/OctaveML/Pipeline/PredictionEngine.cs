namespace OctaveML.Pipeline;

/// <summary>
/// Scores one example at a time through a fitted pipeline (ML.NET's <c>PredictionEngine</c>):
/// <typeparamref name="TSrc"/>'s public properties become the input columns (by name or [ColumnName]),
/// the output columns fill <typeparamref name="TDst"/>'s properties of the same names.
/// </summary>
/// <remarks>
/// ML.NET's prediction engine is not thread-safe. This one may be called from several threads, but its
/// calls run one at a time (a lock serialises them, and the network underneath is shared); for parallel
/// scoring, transform a data view of many rows (scored in batches) instead.
/// </remarks>
public sealed class PredictionEngine<TSrc, TDst> where TSrc : class where TDst : class, new()
{
    private readonly ITransformer _model;
    private readonly DataViewSchema _inputSchema;
    private readonly RowMapper.Member[] _members;
    private readonly Func<object?[], TDst> _read;
    private readonly object _lock = new();

    internal PredictionEngine(ITransformer model, bool ignoreMissingColumns)
    {
        ArgumentNullException.ThrowIfNull(model);
        _model = model;
        (_inputSchema, _members) = RowMapper.InputSchema(typeof(TSrc));
        OutputSchema = model.GetOutputSchema(_inputSchema); // a column the pipeline needs but TSrc lacks fails here, named
        _read = RowMapper.Reader<TDst>(OutputSchema, ignoreMissingColumns);
    }

    /// <summary>The schema of the pipeline's output rows.</summary>
    public DataViewSchema OutputSchema { get; }

    /// <summary>Runs <paramref name="example"/> through the pipeline and returns its output row.</summary>
    public TDst Predict(TSrc example)
    {
        ArgumentNullException.ThrowIfNull(example);
        var row = _members.Select(m => m.Property.GetValue(example)).ToArray();
        var input = new RowView(_inputSchema, () => [row], () => 1);
        lock (_lock)
            return _read(_model.Transform(input).Rows().Single());
    }
}
