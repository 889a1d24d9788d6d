using OctaveML.Models;
using static TorchSharp.torch;

namespace OctaveML.TorchSharp;

/// <summary>The TorchSharp module of a model spec (as torchvision.models builds a network by name).</summary>
public static class OctaveModels
{
    /// <summary>
    /// <see cref="Modules.OctResNet"/>, <see cref="Modules.OctCifarResNet"/> or <see cref="Modules.OctMobileNet"/> for
    /// <paramref name="spec"/>, with PyTorch's default initialisation; logits [N, classes] of images [N, C, H, W].
    /// </summary>
    public static nn.Module<Tensor, Tensor> Create(ModelSpec spec) => spec switch
    {
        null => throw new ArgumentNullException(nameof(spec)),
        OctResNetSpec s => new Modules.OctResNet(s),
        OctCifarResNetSpec s => new Modules.OctCifarResNet(s),
        OctMobileNetSpec s => new Modules.OctMobileNet(s),
        _ => throw new ArgumentException($"{spec.GetType().Name} is not a family OctaveML.TorchSharp builds ({string.Join(", ", ModelSpec.Families)}).", nameof(spec)),
    };
}
