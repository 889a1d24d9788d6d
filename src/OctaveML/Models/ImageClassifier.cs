using OctaveML.Nn;
using OctaveML.Tensors;

namespace OctaveML.Models;

/// <summary>
/// A network that maps a batch of images [N, C, H, W] to class logits [N, classes]: what the
/// trainer trains and the pipeline serves. OctResNet, OctCifarResNet and OctMobileNet derive from it.
/// </summary>
public abstract class ImageClassifier : Module
{
    /// <summary>Number of input channels (1 for grayscale, 3 for RGB).</summary>
    public abstract int InChannels { get; }

    /// <summary>Number of classes (width of the logits).</summary>
    public abstract int NumClasses { get; }

    /// <summary>Logits [N, NumClasses] for a batch [N, InChannels, H, W]; keeps what Backward needs in training mode.</summary>
    public abstract Tensor Forward(Tensor images);

    /// <summary>
    /// Back-propagates d(loss)/d(logits) through the last Forward, adding into every parameter's Grad.
    /// Returns nothing: the gradient of the images is not needed for training.
    /// </summary>
    public abstract void Backward(Tensor gradLogits);
}
