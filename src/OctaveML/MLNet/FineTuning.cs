using System.Globalization;

namespace OctaveML;

/// <summary>What learns when a trainer starts from <see cref="OctaveTrainerOptions.InitialWeights"/>.</summary>
public enum FineTuneMode
{
    /// <summary>
    /// Every layer learns: the classifier head at <see cref="OctaveTrainerOptions.LearningRate"/>, the rest of
    /// the network (the backbone) at <see cref="FineTuning.BackboneLearningRateFactor"/> times it.
    /// </summary>
    AllLayers,

    /// <summary>
    /// Only the classifier head learns; the backbone is frozen in eval mode, batch norms included (ML.NET's
    /// ImageClassificationTrainer does this; Keras: <c>base_model.trainable = False</c>).
    /// </summary>
    HeadOnly,
}

/// <summary>
/// How a trainer fine-tunes the network it loads from <see cref="OctaveTrainerOptions.InitialWeights"/>:
/// <see cref="HeadOnly"/> (fast: the backbone's features are computed once per image, then only the head
/// trains) or <see cref="AllLayers"/> (every layer, the pretrained backbone at a lower learning rate, its
/// batch-norm statistics updated or frozen). The classifier head is the final fully connected layer,
/// "fc" (<see cref="Models.ImageClassifier.HeadName"/>); the backbone is everything before it.
/// </summary>
/// <example>
/// <code>
/// InitialWeights = "pretrained.pth",
/// FineTune = FineTuning.HeadOnly(),                                     // or
/// FineTune = FineTuning.AllLayers(backboneLearningRateFactor: 0.1f, freezeBatchNormStatistics: true),
/// </code>
/// </example>
public sealed class FineTuning
{
    private FineTuning(FineTuneMode mode, float backboneLearningRateFactor, bool freezeBatchNormStatistics)
    {
        Mode = mode; BackboneLearningRateFactor = backboneLearningRateFactor; FreezeBatchNormStatistics = freezeBatchNormStatistics;
    }

    /// <summary>
    /// Train the classifier head alone, as ML.NET's ImageClassificationTrainer does. The backbone keeps the loaded
    /// weights bit for bit and runs in eval mode (batch norms normalise with the loaded running statistics, which
    /// stay as they are). Since the backbone never changes, each image's pooled features (the head's input) are
    /// computed once, by ONNX Runtime on the exported backbone (the engine that scores the fitted model), and
    /// every epoch trains only the head on them: an epoch costs a matrix product, whatever the network. So the
    /// images cannot change from epoch to epoch: <see cref="OctaveTrainerOptions.Augmentation"/> must be null.
    /// The head trains on the managed engine whatever <see cref="OctaveTrainerOptions.Backend"/> says.
    /// </summary>
    public static FineTuning HeadOnly() => new(FineTuneMode.HeadOnly, 0, true);

    /// <summary>
    /// Train every layer: the head at the options' LearningRate, the backbone at
    /// <paramref name="backboneLearningRateFactor"/> times it (PyTorch: a second param group with its own lr; the
    /// schedule scales both; so does weight decay, as in torch.optim). With
    /// <paramref name="freezeBatchNormStatistics"/> every batch norm runs in eval mode while training (PyTorch:
    /// <c>bn.eval()</c> after <c>model.train()</c>): it normalises with the loaded running mean and variance and
    /// leaves them unchanged, while its scale and shift still learn; useful when batches are small or the new
    /// images are few. Without it (default) batch norms use each batch's statistics and update the running ones,
    /// as when training from scratch.
    /// </summary>
    /// <param name="backboneLearningRateFactor">In (0, 1] (default 0.1; 1 trains every layer at the same rate).</param>
    /// <param name="freezeBatchNormStatistics">Keep the loaded batch-norm statistics (default false).</param>
    public static FineTuning AllLayers(float backboneLearningRateFactor = 0.1f, bool freezeBatchNormStatistics = false)
    {
        if (!(backboneLearningRateFactor > 0 && backboneLearningRateFactor <= 1))
            throw new ArgumentOutOfRangeException(nameof(backboneLearningRateFactor), backboneLearningRateFactor,
                "FineTuning.AllLayers backboneLearningRateFactor must be in (0, 1]; to train the head alone use FineTuning.HeadOnly().");
        return new(FineTuneMode.AllLayers, backboneLearningRateFactor, freezeBatchNormStatistics);
    }

    /// <summary>Head only, or all layers.</summary>
    public FineTuneMode Mode { get; }

    /// <summary>The backbone's learning rate over the head's: in (0, 1] for <see cref="FineTuneMode.AllLayers"/>, 0 (frozen) for <see cref="FineTuneMode.HeadOnly"/>.</summary>
    public float BackboneLearningRateFactor { get; }

    /// <summary>True when batch norms keep the loaded running statistics while training (always for <see cref="FineTuneMode.HeadOnly"/>).</summary>
    public bool FreezeBatchNormStatistics { get; }

    /// <inheritdoc/>
    public override string ToString() => Mode == FineTuneMode.HeadOnly
        ? "head only (backbone frozen in eval mode)"
        : string.Create(CultureInfo.InvariantCulture,
            $"all layers (backbone at {BackboneLearningRateFactor:G3} x the learning rate, batch-norm statistics {(FreezeBatchNormStatistics ? "frozen" : "updated")})");
}
