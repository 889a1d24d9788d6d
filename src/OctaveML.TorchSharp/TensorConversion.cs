using static TorchSharp.torch;
using OctaveTensor = OctaveML.Tensors.Tensor;

namespace OctaveML.TorchSharp;

/// <summary>Copies between OctaveML's float32 tensors in main memory and libtorch tensors on a device.</summary>
internal static class TensorConversion
{
    /// <summary>A float32 copy of <paramref name="t"/> on <paramref name="device"/>.</summary>
    public static Tensor ToTorch(OctaveTensor t, Device device)
    {
        var shape = new long[t.Rank];
        for (int i = 0; i < shape.Length; i++) shape[i] = t.Shape[i];
        return tensor(t.Data, shape, device: device);
    }

    /// <summary>A float32 copy of <paramref name="t"/> (any dtype, any device) in main memory.</summary>
    public static OctaveTensor ToOctave(Tensor t)
    {
        using var scope = NewDisposeScope();
        var cpu = t.detach().to(float32).cpu().contiguous();
        var shape = new int[cpu.Dimensions];
        for (int i = 0; i < shape.Length; i++) shape[i] = checked((int)cpu.shape[i]);
        return new OctaveTensor(cpu.data<float>().ToArray(), shape);
    }

    /// <summary>Class indices as an int64 tensor on <paramref name="device"/>.</summary>
    public static Tensor Labels(int[] labels, Device device) =>
        tensor(Array.ConvertAll(labels, x => (long)x), [labels.Length], device: device);
}
