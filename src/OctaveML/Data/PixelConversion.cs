using System.Numerics.Tensors;

namespace OctaveML.Data;

/// <summary>Byte to [0, 1] float conversion shared by the datasets.</summary>
internal static class PixelConversion
{
    /// <summary>dst[i] = src[i] / 255, exactly as torchvision's ToTensor (a true division, not a reciprocal multiply).</summary>
    public static void BytesToUnitFloats(ReadOnlySpan<byte> src, Span<float> dst)
    {
        dst = dst[..src.Length];
        TensorPrimitives.ConvertChecked<byte, float>(src, dst);
        TensorPrimitives.Divide(dst, 255f, dst);
    }
}
