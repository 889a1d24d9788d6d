namespace OctaveML.Pipeline;

/// <summary>
/// A fitted step (ML.NET's <c>ITransformer</c>): maps a data view to a new one, lazily. Transformers
/// are immutable and can be saved with <c>ctx.Model.Save</c>.
/// </summary>
public interface ITransformer
{
    /// <summary>The schema <see cref="Transform"/> would produce from <paramref name="inputSchema"/>; throws on a missing or mistyped column.</summary>
    DataViewSchema GetOutputSchema(DataViewSchema inputSchema);

    /// <summary>A view of <paramref name="input"/> with this step's columns added (or replaced).</summary>
    IDataView Transform(IDataView input);
}

/// <summary>
/// An unfitted step (ML.NET's <c>IEstimator&lt;TTransformer&gt;</c>): learns from a data view
/// (key values, network weights) and returns the transformer that applies what it learnt.
/// </summary>
public interface IEstimator<out TTransformer> where TTransformer : ITransformer
{
    /// <summary>Learns from <paramref name="input"/>.</summary>
    TTransformer Fit(IDataView input);
}
