using System.Runtime.InteropServices;
using OctaveML.Tensors;

namespace OctaveML.Interop.PyTorch;

/// <summary>
/// A tensor as torch pickles it (torch._utils._rebuild_tensor_v2): a view of a storage with an
/// element offset, sizes and strides. The view is checked against the storage when the pickle is
/// read; <see cref="ToTensor"/> gathers it, once the storage's bytes are attached, into a contiguous
/// float32 <see cref="Tensor"/> (transposed, strided, channels-last or broadcast views alike).
/// </summary>
internal sealed class TorchTensorRef
{
    private readonly int[] _sizes;
    private readonly long[] _strides;

    /// <summary>A view of <paramref name="storage"/>; throws when any element it covers lies outside it.</summary>
    public TorchTensorRef(TorchStorage storage, long offset, int[] sizes, long[] strides)
    {
        if (sizes.Length != strides.Length)
            throw new InvalidDataException($"a tensor of storage '{storage.Key}' has {sizes.Length} sizes but {strides.Length} strides.");
        long count = 1, last = offset;
        for (int d = 0; d < sizes.Length; d++)
        {
            if (sizes[d] < 0 || strides[d] < 0)
                throw new InvalidDataException($"a tensor of storage '{storage.Key}' has size {sizes[d]} and stride {strides[d]} in dimension {d}.");
            count *= sizes[d];
            if (count > Array.MaxLength)
                throw new InvalidDataException($"a tensor of storage '{storage.Key}' has sizes [{string.Join(", ", sizes)}], more elements than an array holds.");
            if (sizes[d] > 0 && strides[d] > 0 && strides[d] > (long.MaxValue - last) / sizes[d])
                throw new InvalidDataException($"a tensor of storage '{storage.Key}' has strides [{string.Join(", ", strides)}] that overflow.");
            if (sizes[d] > 0) last += (sizes[d] - 1) * strides[d];
        }
        if (offset < 0 || (count > 0 && last >= storage.Numel))
            throw new InvalidDataException(
                $"a tensor at offset {offset} with sizes [{string.Join(", ", sizes)}] and strides [{string.Join(", ", strides)}] " +
                $"reaches past the {storage.Numel} elements of storage '{storage.Key}'.");
        Storage = storage; Offset = offset; _sizes = sizes; _strides = strides;
    }

    /// <summary>The storage viewed.</summary>
    public TorchStorage Storage { get; }

    /// <summary>The element offset into the storage.</summary>
    public long Offset { get; }

    /// <summary>The shape.</summary>
    public ReadOnlySpan<int> Sizes => _sizes;

    /// <summary>"tensor", the Python type name in messages.</summary>
    public override string ToString() => "tensor";

    /// <summary>The elements in row-major order as float32 (integers and bools converted by value).</summary>
    public Tensor ToTensor()
    {
        byte[] data = Storage.Data ?? throw new InvalidOperationException($"storage '{Storage.Key}' has not been read.");
        var result = Tensor.Uninitialized(_sizes);
        if (result.Length == 0) return result;
        int rank = _sizes.Length, inner = rank == 0 ? 1 : _sizes[^1];
        long innerStride = rank == 0 ? 1 : _strides[^1];
        var dst = result.Data.AsSpan();
        // An odometer over every dimension but the last; each row is one strided run.
        var index = new int[Math.Max(rank - 1, 0)];
        long start = Offset;
        for (int row = 0; row < dst.Length; row += inner)
        {
            ConvertRun(data, start, innerStride, dst.Slice(row, inner));
            for (int d = rank - 2; d >= 0; d--)
            {
                start += _strides[d];
                if (++index[d] < _sizes[d]) break;
                start -= _strides[d] * _sizes[d];
                index[d] = 0;
            }
        }
        return result;
    }

    private void ConvertRun(byte[] data, long start, long stride, Span<float> dst)
    {
        int s = (int)start, st = (int)stride; // in range: the view was checked against the storage
        switch (Storage.DType)
        {
            case TorchDType.Float32:
            {
                var src = MemoryMarshal.Cast<byte, float>(data);
                if (st == 1) src.Slice(s, dst.Length).CopyTo(dst);
                else for (int i = 0; i < dst.Length; i++) dst[i] = src[s + i * st];
                break;
            }
            case TorchDType.Float64: { var src = MemoryMarshal.Cast<byte, double>(data); for (int i = 0; i < dst.Length; i++) dst[i] = (float)src[s + i * st]; break; }
            case TorchDType.Float16: { var src = MemoryMarshal.Cast<byte, Half>(data); for (int i = 0; i < dst.Length; i++) dst[i] = (float)src[s + i * st]; break; }
            case TorchDType.BFloat16:
            {
                var src = MemoryMarshal.Cast<byte, ushort>(data);
                for (int i = 0; i < dst.Length; i++) dst[i] = BitConverter.Int32BitsToSingle(src[s + i * st] << 16);
                break;
            }
            case TorchDType.Int64: { var src = MemoryMarshal.Cast<byte, long>(data); for (int i = 0; i < dst.Length; i++) dst[i] = src[s + i * st]; break; }
            case TorchDType.Int32: { var src = MemoryMarshal.Cast<byte, int>(data); for (int i = 0; i < dst.Length; i++) dst[i] = src[s + i * st]; break; }
            case TorchDType.Int16: { var src = MemoryMarshal.Cast<byte, short>(data); for (int i = 0; i < dst.Length; i++) dst[i] = src[s + i * st]; break; }
            case TorchDType.Int8: for (int i = 0; i < dst.Length; i++) dst[i] = (sbyte)data[s + i * st]; break;
            case TorchDType.UInt8: for (int i = 0; i < dst.Length; i++) dst[i] = data[s + i * st]; break;
            case TorchDType.Bool: for (int i = 0; i < dst.Length; i++) dst[i] = data[s + i * st] != 0 ? 1 : 0; break;
        }
    }
}
