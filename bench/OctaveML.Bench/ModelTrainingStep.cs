using OctaveML.Models;
using OctaveML.Ops;
using OctaveML.Tensors;
using OctaveML.Training;

namespace OctaveML.Bench;

/// <summary>
/// One model's training step (forward, cross-entropy, backward, SGD momentum 0.9) on fixed random data,
/// as the PyTorch peer's. Public API only: the NuGet consumer app of <c>consumer_over_bench</c> compiles
/// this same file against the packed package.
/// </summary>
public sealed class ModelTrainingStep
{
    private readonly Sgd _sgd;
    private readonly Tensor _x, _grad;
    private readonly int[] _labels;

    /// <summary>A training step of <paramref name="model"/> on a batch of <paramref name="batch"/> random <paramref name="size"/>-pixel images (seed 0).</summary>
    public ModelTrainingStep(ImageClassifier model, int batch, int size)
    {
        Model = model;
        _sgd = new Sgd(Model, 0.01, momentum: 0.9);
        (_x, _labels) = RandomBatch(batch, model.InChannels, size, model.NumClasses);
        _grad = new Tensor(batch, model.NumClasses);
        Model.Train();
    }

    /// <summary>
    /// The benchmark's batch: <paramref name="batch"/> images of standard normal pixels and uniform labels, from seed 0
    /// (every side that trains on it, the libtorch child included, draws the same one).
    /// </summary>
    public static (Tensor Images, int[] Labels) RandomBatch(int batch, int channels, int size, int classes)
    {
        var rng = new Rng(0);
        var x = new Tensor(batch, channels, size, size);
        rng.FillNormal(x.Data, 0, 1);
        var labels = new int[batch];
        for (int i = 0; i < batch; i++) labels[i] = rng.NextInt(classes);
        return (x, labels);
    }

    /// <summary>The model being trained.</summary>
    public ImageClassifier Model { get; }

    /// <summary>The cross-entropy of the last step's forward.</summary>
    public float Loss { get; private set; }

    /// <summary>One step: zero the gradients, forward, cross-entropy, backward, SGD update.</summary>
    public void Step()
    {
        _sgd.ZeroGrad();
        var logits = Model.Forward(_x);
        Loss = CrossEntropyKernel.ForwardBackward(_labels.Length, Model.NumClasses, logits.Data, _labels, _grad.Data);
        Model.Backward(_grad);
        _sgd.Step();
    }

    /// <summary>One inference forward of the batch (call <c>Model.Eval()</c> first).</summary>
    public void Infer() => Model.Forward(_x);
}
