namespace OctaveML.Models;

/// <summary>The first layers of an <see cref="OctResNet"/>.</summary>
public enum ResNetStem
{
    /// <summary>7x7 stride-2 convolution and 3x3 stride-2 max pooling (ImageNet-sized inputs, 224 px).</summary>
    ImageNet,

    /// <summary>One 3x3 stride-1 convolution, no pooling (small inputs: Fashion-MNIST, CIFAR, 28-64 px).</summary>
    Small,
}
