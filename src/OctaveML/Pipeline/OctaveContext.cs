namespace OctaveML.Pipeline;

/// <summary>A log message from the pipeline (ML.NET's <c>LoggingEventArgs</c>).</summary>
public sealed class LoggingEventArgs(string message, string source) : EventArgs
{
    /// <summary>The message.</summary>
    public string Message { get; } = message;

    /// <summary>The component that wrote it (e.g. "OctResNetTrainer").</summary>
    public string Source { get; } = source;

    /// <inheritdoc/>
    public override string ToString() => $"[{Source}] {Message}";
}

/// <summary>
/// The entry point of the pipeline (ML.NET's <c>MLContext</c>): catalogs for loading data, transforms,
/// trainers and evaluation, and model files. One context serves one thread at a time.
/// </summary>
/// <example>
/// <code>
/// var ctx = new OctaveContext(seed: 1);
/// var data = ctx.Data.LoadFromImageFolder("photos/");
/// var split = ctx.Data.TrainTestSplit(data, testFraction: 0.2);
/// var pipeline = ctx.Transforms.Conversion.MapValueToKey("Label")
///     .Append(ctx.Transforms.LoadImages("Image", "photos/", "ImagePath"))
///     .Append(ctx.Transforms.ResizeImages("Image", 224, 224))
///     .Append(ctx.Transforms.ExtractPixels("Features", "Image", scaleImage: 1f / 255))
///     .Append(ctx.MulticlassClassification.Trainers.OctResNet(new OctResNetTrainer.Options { Epoch = 12 }))
///     .Append(ctx.Transforms.Conversion.MapKeyToValue("PredictedLabel"));
/// var model = pipeline.Fit(split.TrainSet);
/// var metrics = ctx.MulticlassClassification.Evaluate(model.Transform(split.TestSet));
/// </code>
/// </example>
public sealed class OctaveContext
{
    private readonly Random _random;
    private CancellationTokenSource _cancel = new();

    /// <summary>
    /// A context whose random choices (splits, shuffles, initial weights when a trainer has no seed)
    /// derive from <paramref name="seed"/>; without one they differ from run to run.
    /// </summary>
    public OctaveContext(int? seed = null)
    {
        Seed = seed;
        _random = seed is { } s ? new Random(s) : new Random();
        Data = new DataOperationsCatalog(this);
        Transforms = new TransformsCatalog(this);
        MulticlassClassification = new MulticlassClassificationCatalog(this);
        Model = new ModelOperationsCatalog(this);
    }

    /// <summary>The seed given at construction, if any.</summary>
    public int? Seed { get; }

    /// <summary>Loading, splitting, caching, shuffling and reading back data views.</summary>
    public DataOperationsCatalog Data { get; }

    /// <summary>Data transforms: key mapping, image loading, resizing, pixel extraction.</summary>
    public TransformsCatalog Transforms { get; }

    /// <summary>Multiclass trainers (OctResNet, OctMobileNet, OctCifarResNet) and evaluation.</summary>
    public MulticlassClassificationCatalog MulticlassClassification { get; }


    /// <summary>Saving and loading models, prediction engines.</summary>
    public ModelOperationsCatalog Model { get; }

    /// <summary>Progress and diagnostic messages (training epochs, files skipped...).</summary>
    public event EventHandler<LoggingEventArgs>? Log;

    /// <summary>
    /// Cancels what runs on this context (training stops within one batch with
    /// <see cref="OperationCanceledException"/>); later operations run normally again.
    /// </summary>
    public void CancelExecution()
    {
        var old = Interlocked.Exchange(ref _cancel, new CancellationTokenSource());
        old.Cancel();
    }

    /// <summary>The token of the current operation (replaced after each <see cref="CancelExecution"/>).</summary>
    internal CancellationToken CancellationToken => _cancel.Token;

    /// <summary>A seed for a component, drawn from the context's generator.</summary>
    internal int NextSeed()
    {
        lock (_random) return _random.Next();
    }

    internal void WriteLog(string source, string message) => Log?.Invoke(this, new LoggingEventArgs(message, source));
}
