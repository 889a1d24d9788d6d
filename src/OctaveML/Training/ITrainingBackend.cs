using OctaveML.Models;

namespace OctaveML.Training;

/// <summary>
/// A training engine: turns a model spec into a <see cref="ITrainingSession"/>, which the one
/// <see cref="Trainer"/> loop drives. <see cref="ManagedBackend"/> (the default) runs OctaveML's own
/// engine; OctaveML.TorchSharp's <c>TorchSharpBackend</c> runs libtorch on a CPU or a GPU.
/// </summary>
public interface ITrainingBackend
{
    /// <summary>A short name for logs and checkpoints, e.g. "managed" or "torchsharp".</summary>
    string Name { get; }

    /// <summary>
    /// A session training the network <paramref name="spec"/> describes with the optimizer and loss of
    /// <paramref name="options"/>, starting from the weights <c>spec.CreateModel(seed)</c> draws (the
    /// same initial weights in every backend).
    /// </summary>
    ITrainingSession CreateSession(ModelSpec spec, TrainerOptions options, int seed);
}
