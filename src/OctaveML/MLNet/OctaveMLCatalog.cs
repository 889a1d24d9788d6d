using OctaveML;

namespace Microsoft.ML;

/// <summary>
/// The OctaveML trainers on <c>mlContext.MulticlassClassification.Trainers</c> (in namespace
/// Microsoft.ML, as ML.NET's own catalogs, so no extra using is needed).
/// </summary>
public static class OctaveMLCatalog
{
    /// <summary>An OctResNet trainer: <paramref name="depth"/> 26, 50, 101, 152 or 200; <paramref name="alpha"/> in [0, 1).</summary>
    public static OctResNetTrainer OctResNet(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog,
        string labelColumnName = "Label", string featureColumnName = "Features", int depth = 50, float alpha = 0.5f, int epoch = 200, int batchSize = 10)
        => new(catalog, new OctResNetTrainer.Options { LabelColumnName = labelColumnName, FeatureColumnName = featureColumnName, Depth = depth, Alpha = alpha, Epoch = epoch, BatchSize = batchSize });

    /// <summary>An OctResNet trainer with all its options.</summary>
    public static OctResNetTrainer OctResNet(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog, OctResNetTrainer.Options options)
        => new(catalog, options);

    /// <summary>An OctCifarResNet trainer (28-32 px images): <paramref name="depth"/> 6n + 2 (20, 32, 44, 56, 110); <paramref name="alpha"/> in [0, 1).</summary>
    public static OctCifarResNetTrainer OctCifarResNet(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog,
        string labelColumnName = "Label", string featureColumnName = "Features", int depth = 20, float alpha = 0.5f, int epoch = 200, int batchSize = 10)
        => new(catalog, new OctCifarResNetTrainer.Options { LabelColumnName = labelColumnName, FeatureColumnName = featureColumnName, Depth = depth, Alpha = alpha, Epoch = epoch, BatchSize = batchSize });

    /// <summary>An OctCifarResNet trainer with all its options.</summary>
    public static OctCifarResNetTrainer OctCifarResNet(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog, OctCifarResNetTrainer.Options options)
        => new(catalog, options);

    /// <summary>An OctMobileNet trainer: <paramref name="alpha"/> in [0, 1).</summary>
    public static OctMobileNetTrainer OctMobileNet(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog,
        string labelColumnName = "Label", string featureColumnName = "Features", float alpha = 0.5f, int epoch = 200, int batchSize = 10)
        => new(catalog, new OctMobileNetTrainer.Options { LabelColumnName = labelColumnName, FeatureColumnName = featureColumnName, Alpha = alpha, Epoch = epoch, BatchSize = batchSize });

    /// <summary>An OctMobileNet trainer with all its options.</summary>
    public static OctMobileNetTrainer OctMobileNet(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog, OctMobileNetTrainer.Options options)
        => new(catalog, options);
}
