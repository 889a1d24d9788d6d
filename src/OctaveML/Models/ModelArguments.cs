using OctaveML.Tensors;

namespace OctaveML.Models;

/// <summary>Argument checks shared by the model constructors and forwards.</summary>
internal static class ModelArguments
{
    public static void Check(int numClasses, double alpha, int inChannels)
    {
        if (numClasses < 2) throw new ArgumentOutOfRangeException(nameof(numClasses), numClasses, "numClasses must be at least 2.");
        if (!(alpha >= 0 && alpha < 1)) throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "alpha must be in [0, 1).");
        if (inChannels < 1) throw new ArgumentOutOfRangeException(nameof(inChannels), inChannels, "inChannels must be at least 1.");
    }

    public static void CheckImages(Tensor images, int inChannels, string name)
    {
        ArgumentNullException.ThrowIfNull(images, name);
        if (images.Rank != 4 || images.C != inChannels || images.N < 1 || images.H < 1 || images.W < 1)
            throw new ArgumentException($"images have shape {images.ShapeString}, expected [N, {inChannels}, H, W].", name);
    }
}
