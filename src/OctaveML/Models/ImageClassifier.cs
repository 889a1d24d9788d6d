using OctaveML.Nn;
using OctaveML.Tensors;

namespace OctaveML.Models;

/// <summary>
/// A network that maps a batch of images [N, C, H, W] to class logits [N, classes]: what the
/// trainer trains and the pipeline serves. OctResNet, OctCifarResNet and OctMobileNet derive from it.
/// A model keeps per-call state (what backward needs, its buffer pool): one Forward/Backward at a time;
/// the pipeline's transformer and prediction engine serialise their calls.
/// </summary>
public abstract class ImageClassifier : Module
{
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

    /// <summary>Logits [N, NumClasses] for a batch [N, InChannels, H, W]; keeps what Backward needs in training mode.</summary>
    public abstract Tensor Forward(Tensor images);

    /// <summary>
    /// Back-propagates d(loss)/d(logits) through the last Forward, adding into every parameter's Grad.
    /// Returns nothing: the gradient of the images is not needed for training.
    /// </summary>
    public abstract void Backward(Tensor gradLogits);

    // One pool per batch shape, for the two most recent shapes: an epoch's smaller last batch (or an
    // evaluation at another batch size) reuses its own arrays every epoch. A single pool would drop and
    // reallocate the full set twice per epoch, garbage the GC returns late: peak memory then grows by
    // gigabytes over a training run.
    private const int PoolsKept = 2;
    private readonly List<(int[] Shape, BufferPool Pool)> _pools = new();

    /// <summary>
    /// The global average pool before the classifier. The reference applies it as a function
    /// (F.adaptive_avg_pool2d), so it is no registered child (no module path, no state_dict entry),
    /// but it rents from the model's buffer pool like the layers: a fresh [N, C, H, W] gradient every
    /// step cost page faults and garbage, and, once given back, grew the pool by one array per step.
    /// </summary>
    private protected GlobalAvgPool2d AvgPool { get; } = new();

    /// <summary>False: every layer allocates fresh outputs and gradients (the reference behaviour tests compare against).</summary>
    internal bool ReuseBuffers { get; set; } = true;

    /// <summary>The pool of the last Forward's batch shape, once a Forward has run (a memory diagnostic).</summary>
    internal BufferPool? Buffers => _pools.Count > 0 ? _pools[0].Pool : null;

    /// <summary>
    /// Switches the layers to the buffer pool of this batch shape: activations and gradients are rented
    /// from it and returned as soon as they are dead, so a warm training step allocates almost nothing
    /// and backward reuses the activations' memory. Called at the start of Forward; the logits stay a
    /// fresh tensor, since callers keep them.
    /// </summary>
    private protected void PrepareBuffers(Tensor images)
    {
        if (!ReuseBuffers) return;
        if (_pools.Count > 0 && images.HasShape(_pools[0].Shape)) return;
        // The layers' last outputs are dead once a new batch starts: back to the pool they came from.
        foreach (var (_, m) in NamedModules()) m.ReleaseOutputs();
        AvgPool.ReleaseOutputs();
        int i = _pools.FindIndex(p => images.HasShape(p.Shape));
        var entry = i >= 0 ? _pools[i] : (images.ShapeArray(), new BufferPool());
        if (i >= 0) _pools.RemoveAt(i);
        _pools.Insert(0, entry);
        if (_pools.Count > PoolsKept) _pools.RemoveAt(PoolsKept);
        UseBuffers(entry.Item2);
        AvgPool.UseBuffers(entry.Item2);
    }

    /// <summary>Backward through <paramref name="layers"/> in reverse, recycling each gradient once consumed.</summary>
    private protected OctaveTensor BackwardChain(IReadOnlyList<IOctaveLayer> layers, OctaveTensor gradOutput)
    {
        var g = gradOutput;
        for (int i = layers.Count - 1; i >= 0; i--)
        {
            var next = layers[i].Backward(g);
            Release(g, next);
            g = next;
        }
        return g;
    }
}
