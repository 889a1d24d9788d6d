using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace OctaveML.TorchSharp.Modules;

/// <summary>The reference's helpers: the channel split, the 2x2 pooling and the cropped nearest upsampling.</summary>
internal static class OctaveOps
{
    /// <summary>(high, low) channels of a C-channel octave tensor: low = (int)(alpha * C).</summary>
    public static (int High, int Low) Split(int channels, double alpha)
    {
        int low = (int)(alpha * channels);
        return (channels - low, low);
    }

    /// <summary>2x2/2 average pooling; ceil mode on odd sizes, each window averaged over the pixels it covers.</summary>
    public static Tensor Pool(Tensor t)
    {
        bool odd = t.shape[^2] % 2 != 0 || t.shape[^1] % 2 != 0;
        return F.avg_pool2d(t, [2, 2], [2, 2], ceil_mode: odd);
    }

    /// <summary>Nearest 2x upsampling of <paramref name="t"/>, cropped to the size of <paramref name="like"/>.</summary>
    public static Tensor UpTo(Tensor t, Tensor like)
    {
        var up = F.interpolate(t, scale_factor: [2.0, 2.0], mode: InterpolationMode.Nearest);
        long h = like.shape[^2], w = like.shape[^1];
        return up.shape[^2] == h && up.shape[^1] == w ? up : up[TensorIndex.Ellipsis, TensorIndex.Slice(0, h), TensorIndex.Slice(0, w)];
    }
}
