namespace OctaveML.Pipeline;

/// <summary>
/// An estimator with nothing to learn (ML.NET's <c>TrivialEstimator</c>): Fit checks the input
/// columns and returns the transformer it was built with.
/// </summary>
public abstract class TrivialEstimator<TTransformer> : IEstimator<TTransformer> where TTransformer : class, ITransformer
{
    private protected TrivialEstimator(TTransformer transformer) => Transformer = transformer;

    /// <summary>The transformer Fit returns.</summary>
    private protected TTransformer Transformer { get; }

    /// <summary>Checks that <paramref name="input"/> has the columns the transformer needs and returns it.</summary>
    public TTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        Transformer.GetOutputSchema(input.Schema);
        return Transformer;
    }
}
