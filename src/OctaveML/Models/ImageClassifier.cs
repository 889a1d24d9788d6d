using OctaveML.Nn;
using OctaveML.Tensors;

namespace OctaveML.Models;

/// <summary>
/// A network that maps a batch of images [N, C, H, W] to class logits [N, classes]: what the trainer
/// trains and the pipeline serves. A network declares its forward over graph values
/// (<see cref="Forward(Graph, Value)"/>); a <see cref="GraphExecutor"/> runs it, plans its activations
/// and gradients once per batch shape and owns their memory. One Forward/Backward at a time; the
/// pipeline's transformer and prediction engine serialise their calls.
/// </summary>
public abstract class ImageClassifier : Module
{
    private GraphExecutor? _executor;

    /// <summary>
    /// The classifier head's module name, "fc" in every model as in the reference: its weight
    /// [NumClasses, features] and bias [NumClasses] are the only tensors whose shapes depend on the
    /// class count.
    /// </summary>
    public const string HeadName = "fc";

    /// <summary>Number of input channels (1 for grayscale, 3 for RGB).</summary>
    public abstract int InChannels { get; }

    /// <summary>Number of classes (width of the logits).</summary>
    public abstract int NumClasses { get; }

    /// <summary>The engine-agnostic description this network was built from; null for a custom network no spec describes.</summary>
    public virtual ModelSpec? Spec => null;

    /// <summary>Declares the forward: records the network's nodes on <paramref name="graph"/> and returns the logits value.</summary>
    public abstract Value Forward(Graph graph, Value images);

    /// <summary>
    /// Logits [N, NumClasses] (a fresh tensor) for a batch [N, InChannels, H, W]. In training mode keeps what
    /// Backward needs; in eval mode keeps nothing.
    /// </summary>
    public Tensor Forward(Tensor images)
    {
        ModelArguments.CheckImages(images, InChannels, nameof(images));
        return Executor.Forward([images], keepForBackward: Training)[0]!;
    }

    /// <summary>
    /// Back-propagates d(loss)/d(logits) through the last Forward (which must be in training mode), adding
    /// into every parameter's Grad. Returns nothing: the gradient of the images is not needed for training.
    /// </summary>
    public void Backward(Tensor gradLogits)
    {
        ArgumentNullException.ThrowIfNull(gradLogits);
        Executor.Backward([gradLogits], inputGradients: false);
    }

    /// <summary>
    /// The global average pool before the classifier. The reference applies it as a function
    /// (F.adaptive_avg_pool2d), so it is no registered child (no module path, no state_dict entry).
    /// </summary>
    private protected GlobalAvgPool2d AvgPool { get; } = new();

    /// <summary>The generator every model draws its initial weights from: a fully specified sequence (System.Random's seeded one is not guaranteed across .NET versions).</summary>
    private protected static Random InitGenerator(int seed) => new Rng((ulong)seed).AsRandom();

    /// <summary>Runs the declared forward and backward and owns their memory (plans, arena: diagnostics and tests).</summary>
    internal GraphExecutor Executor => _executor ??= new GraphExecutor((g, x) => [Forward(g, x[0]!.Value)], inputGradients: false);
}
