namespace OctaveML.Pipeline;

/// <summary>
/// Estimators run one after the other (ML.NET's <c>EstimatorChain</c>): Fit fits each on the output
/// of the transformers fitted before it and returns their <see cref="TransformerChain{TLastTransformer}"/>.
/// </summary>
public sealed class EstimatorChain<TLastTransformer> : IEstimator<TransformerChain<TLastTransformer>>
    where TLastTransformer : class, ITransformer
{
    private readonly IEstimator<ITransformer>[] _estimators;

    /// <summary>An empty chain (append to it).</summary>
    public EstimatorChain() => _estimators = [];

    internal EstimatorChain(IEstimator<ITransformer>[] estimators) => _estimators = estimators;

    /// <summary>The estimators in order.</summary>
    public IReadOnlyList<IEstimator<ITransformer>> Estimators => _estimators;

    /// <summary>A chain with <paramref name="estimator"/> after this one's steps.</summary>
    public EstimatorChain<TNewTrans> Append<TNewTrans>(IEstimator<TNewTrans> estimator) where TNewTrans : class, ITransformer
    {
        ArgumentNullException.ThrowIfNull(estimator);
        return new EstimatorChain<TNewTrans>([.. _estimators, estimator]);
    }

    /// <summary>Fits every step in turn on <paramref name="input"/> transformed by the steps before.</summary>
    public TransformerChain<TLastTransformer> Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var fitted = new ITransformer[_estimators.Length];
        var current = input;
        for (int i = 0; i < _estimators.Length; i++)
        {
            fitted[i] = _estimators[i].Fit(current);
            // The last step's output is not needed to fit anything.
            if (i + 1 < _estimators.Length) current = fitted[i].Transform(current);
        }
        return new TransformerChain<TLastTransformer>(fitted);
    }
}

/// <summary>Appending estimators into chains (ML.NET's <c>LearningPipelineExtensions.Append</c>).</summary>
public static class LearningPipelineExtensions
{
    /// <summary>A chain of <paramref name="start"/> then <paramref name="estimator"/>.</summary>
    public static EstimatorChain<TTrans> Append<TTrans>(this IEstimator<ITransformer> start, IEstimator<TTrans> estimator)
        where TTrans : class, ITransformer
    {
        ArgumentNullException.ThrowIfNull(start);
        ArgumentNullException.ThrowIfNull(estimator);
        return new EstimatorChain<TTrans>([start, estimator]);
    }

    /// <summary>A chain of fitted <paramref name="start"/> then <paramref name="transformer"/>.</summary>
    public static TransformerChain<TTrans> Append<TTrans>(this ITransformer start, TTrans transformer) where TTrans : class, ITransformer
    {
        ArgumentNullException.ThrowIfNull(start);
        ArgumentNullException.ThrowIfNull(transformer);
        return new TransformerChain<TTrans>([start, transformer]);
    }
}
