using OctaveML.Models;
using TorchSharp;
using static TorchSharp.torch;
using OctaveTensor = OctaveML.Tensors.Tensor;

namespace OctaveML.TorchSharp.Tests;

/// <summary>
/// The exact answer float32 backends approximate: the spec's TorchSharp module in float64 on the CPU,
/// given the same weights and batch. It fixes what "within float32 tolerance" means for a network: how
/// far libtorch's own float32 result lies from it.
/// </summary>
internal static class Float64Reference
{
    /// <summary>The training-mode loss and every parameter's gradient, in float64, returned as float32 tensors.</summary>
    public static (double Loss, Dictionary<string, OctaveTensor> Gradients) LossAndGradients(
        ModelSpec spec, IReadOnlyDictionary<string, OctaveTensor> weights, OctaveTensor images, int[] labels, double labelSmoothing)
    {
        using var scope = NewDisposeScope();
        using var module = OctaveModels.Create(spec);
        using (no_grad())
            foreach (var (name, t) in module.state_dict()) t.copy_(tensor(weights[name].Data, t.shape));
        module.to(float64);
        module.train();
        var x = tensor(images.Data, [images.N, images.C, images.H, images.W]).to(float64);
        var y = tensor(Array.ConvertAll(labels, l => (long)l), [labels.Length]);
        var loss = nn.functional.cross_entropy(module.call(x), y, label_smoothing: labelSmoothing);
        loss.backward();
        var grads = module.named_parameters().ToDictionary(p => p.name, p => TensorConversion.ToOctave(p.parameter.grad!), StringComparer.Ordinal);
        return (loss.item<double>(), grads);
    }
}
