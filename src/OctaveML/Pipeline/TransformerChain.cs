using System.Collections;

namespace OctaveML.Pipeline;

/// <summary>
/// Fitted steps applied one after the other (ML.NET's <c>TransformerChain</c>): what
/// <see cref="EstimatorChain{TLastTransformer}.Fit"/> returns and what a model file holds.
/// </summary>
public sealed class TransformerChain<TLastTransformer> : ITransformer, IEnumerable<ITransformer>
    where TLastTransformer : class, ITransformer
{
    private readonly ITransformer[] _transformers;

    /// <summary>A chain of <paramref name="transformers"/>, applied in order.</summary>
    public TransformerChain(params ITransformer[] transformers)
    {
        ArgumentNullException.ThrowIfNull(transformers);
        foreach (var t in transformers) ArgumentNullException.ThrowIfNull(t, nameof(transformers));
        if (transformers.Length > 0 && transformers[^1] is not TLastTransformer)
            throw new ArgumentException($"the last transformer is {transformers[^1].GetType().Name}, not {typeof(TLastTransformer).Name}.", nameof(transformers));
        _transformers = (ITransformer[])transformers.Clone();
    }

    /// <summary>The last step (e.g. the trainer's prediction transformer), or null for an empty chain.</summary>
    public TLastTransformer? LastTransformer => _transformers.Length == 0 ? null : (TLastTransformer)_transformers[^1];

    /// <inheritdoc/>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        var schema = inputSchema;
        foreach (var t in _transformers) schema = t.GetOutputSchema(schema);
        return schema;
    }

    /// <inheritdoc/>
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        GetOutputSchema(input.Schema); // fail now, naming the column, rather than mid-read
        var current = input;
        foreach (var t in _transformers) current = t.Transform(current);
        return current;
    }

    /// <summary>A chain with <paramref name="transformer"/> after this one's steps.</summary>
    public TransformerChain<TNewLast> Append<TNewLast>(TNewLast transformer) where TNewLast : class, ITransformer =>
        new([.. _transformers, transformer]);

    /// <inheritdoc/>
    public IEnumerator<ITransformer> GetEnumerator() => ((IEnumerable<ITransformer>)_transformers).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
