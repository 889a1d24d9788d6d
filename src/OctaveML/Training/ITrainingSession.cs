using OctaveML.Models;
using OctaveML.Tensors;

namespace OctaveML.Training;

/// <summary>
/// One network being trained by one backend, with its optimizer: all the <see cref="Trainer"/> sees of
/// an engine. Tensors in and out are OctaveML tensors in main memory; weights, gradients and optimizer
/// state are keyed by the reference's state_dict names, so they move between backends (a checkpoint
/// written by one continues training in the other). One call at a time.
/// </summary>
public interface ITrainingSession : IDisposable
{
    /// <summary>The description the network was built from; null for a custom managed network.</summary>
    ModelSpec? Spec { get; }

    /// <summary>Width of the logits.</summary>
    int NumClasses { get; }

    /// <summary>The backend's name (<see cref="ITrainingBackend.Name"/>).</summary>
    string Backend { get; }

    /// <summary>What runs the session, for logs, e.g. "managed engine, 2 threads" or "libtorch 2.10.0 on cuda".</summary>
    string Description { get; }

    /// <summary>CPU threads the session's kernels use (results are bit-identical only for the same count).</summary>
    int Threads { get; }

    /// <summary>
    /// In training mode: forward, mean softmax cross-entropy against <paramref name="labels"/> (with the
    /// options' label smoothing) and backward; the gradients replace the previous ones. Takes no step.
    /// A batch norm left with one value per channel throws <see cref="Nn.BatchTooSmallException"/>.
    /// </summary>
    BatchResult ForwardBackward(Tensor images, int[] labels);

    /// <summary>
    /// One optimizer step from the last <see cref="ForwardBackward"/>'s gradients at
    /// <paramref name="learningRate"/>; <paramref name="momentum"/>, when given, sets SGD's momentum or
    /// AdamW's beta1 first (a one-cycle schedule cycles it).
    /// </summary>
    void Step(double learningRate, double? momentum = null);

    /// <summary>In eval mode (running BN statistics): logits [N, <see cref="NumClasses"/>].</summary>
    Tensor Predict(Tensor images);

    /// <summary>Parameters and buffers by state_dict name (copies).</summary>
    Dictionary<string, Tensor> StateDict();

    /// <summary>Copies every parameter and buffer from <paramref name="state"/>; a missing, extra or misshapen entry is an <see cref="ArgumentException"/>.</summary>
    void LoadStateDict(IReadOnlyDictionary<string, Tensor> state);

    /// <summary>
    /// The optimizer's per-parameter state as "&lt;parameter&gt;.&lt;state&gt;" (momentum_buffer; exp_avg,
    /// exp_avg_sq, step), for parameters that have stepped (copies).
    /// </summary>
    Dictionary<string, Tensor> OptimizerStateDict();

    /// <summary>Restores <see cref="OptimizerStateDict"/>'s output; parameters absent from it start fresh.</summary>
    void LoadOptimizerStateDict(IReadOnlyDictionary<string, Tensor> state);

    /// <summary>Every parameter's gradient from the last <see cref="ForwardBackward"/>, by name (copies).</summary>
    Dictionary<string, Tensor> Gradients();
}
