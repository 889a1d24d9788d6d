using System.Runtime.CompilerServices;

namespace OctaveML.Tensors;

/// <summary>
/// A dense, contiguous, row-major float32 tensor. Image tensors are NCHW, as in PyTorch, so
/// weights and golden data map one to one onto the reference's state_dict.
/// </summary>
/// <remarks>
/// Deliberately small: shape plus a flat buffer. All arithmetic lives in the engine
/// (<c>OctaveML.Ops</c> over <c>OctaveML.Blas</c>) and works on spans, in the style of llm.c
/// (paired forward/backward over flat buffers).
/// </remarks>
public sealed class Tensor
{
    private readonly int[] _shape;
    private readonly float[] _storage;
    private readonly int _offset;

    /// <summary>
    /// The flat storage; exactly <see cref="Length"/> elements. A view into a network's planned memory
    /// (<see cref="View"/>) has no array of its own: use <see cref="Span"/>.
    /// </summary>
    public float[] Data => _offset == 0 && _storage.Length == Length ? _storage
        : throw new InvalidOperationException($"this {ShapeString} tensor is a view into a larger buffer (a network's planned memory): use Span.");

    /// <summary>The dimensions, outermost first.</summary>
    public ReadOnlySpan<int> Shape => _shape;

    /// <summary>The number of elements (product of the shape).</summary>
    public int Length { get; }

    /// <summary>The number of dimensions.</summary>
    public int Rank => _shape.Length;

    /// <summary>A zero-filled tensor of the given shape.</summary>
    public Tensor(params int[] shape) : this(shape, clear: true) { }

    private Tensor(int[] shape, bool clear)
    {
        _shape = (int[])shape.Clone();
        Length = (int)CheckedLength(_shape);
        _storage = clear ? new float[Length] : GC.AllocateUninitializedArray<float>(Length);
    }

    /// <summary>Wraps existing data (not copied); its length must match the shape.</summary>
    public Tensor(float[] data, params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(data);
        _shape = (int[])shape.Clone();
        Length = (int)CheckedLength(_shape);
        if (data.Length != Length)
            throw new ArgumentException($"data has {data.Length} elements but shape [{string.Join(", ", shape)}] needs {Length}.", nameof(data));
        _storage = data;
    }

    private Tensor(float[] storage, int offset, int[] shape)
    {
        _shape = shape;
        Length = (int)CheckedLength(_shape);
        if (offset < 0 || offset > storage.Length - Length)
            throw new ArgumentOutOfRangeException(nameof(offset), offset, $"a {FormatShape(shape)} view at {offset} does not fit in {storage.Length} floats.");
        _storage = storage;
        _offset = offset;
    }

    /// <summary>A tensor over <paramref name="storage"/>[offset, offset + length) (not copied): a slot of a network's planned memory.</summary>
    internal static Tensor View(float[] storage, int offset, params int[] shape) => new(storage, offset, (int[])shape.Clone());

    /// <summary>A tensor whose contents are undefined (every element will be overwritten).</summary>
    public static Tensor Uninitialized(params int[] shape) => new(shape, clear: false);

    /// <summary>A zero-filled tensor shaped like <paramref name="like"/>.</summary>
    public static Tensor ZerosLike(Tensor like) => new(like._shape, clear: true);

    /// <summary>The data as a span.</summary>
    public Span<float> Span => _storage.AsSpan(_offset, Length);

    /// <summary>The data as an array segment (for kernels that hand buffers to worker threads).</summary>
    internal ArraySegment<float> Segment => new(_storage, _offset, Length);

    /// <summary>Size of dimension <paramref name="dim"/>; negative counts from the end.</summary>
    public int Dim(int dim) => _shape[dim < 0 ? _shape.Length + dim : dim];

    // NCHW accessors: the layout every image kernel uses.
    public int N => _shape[0];
    public int C => _shape[1];
    public int H => _shape[2];
    public int W => _shape[3];

    /// <summary>Element access by NCHW index (for tests and small code; kernels use spans).</summary>
    public float this[int n, int c, int h, int w]
    {
        get => _storage[_offset + ((n * _shape[1] + c) * _shape[2] + h) * _shape[3] + w];
        set => _storage[_offset + ((n * _shape[1] + c) * _shape[2] + h) * _shape[3] + w] = value;
    }

    /// <summary>A copy of the shape array.</summary>
    public int[] ShapeArray() => (int[])_shape.Clone();

    /// <summary>True when the shapes are equal.</summary>
    public bool SameShape(Tensor other) => _shape.AsSpan().SequenceEqual(other._shape);

    /// <summary>True when the shape equals the given dimensions.</summary>
    public bool HasShape(params int[] shape) => _shape.AsSpan().SequenceEqual(shape);

    /// <summary>A tensor sharing this data with another shape of the same length.</summary>
    public Tensor Reshape(params int[] shape)
    {
        var copy = (int[])shape.Clone();
        long n = CheckedLength(copy);
        if (n != Length)
            throw new ArgumentException($"shape {FormatShape(shape)} has {n} elements; this tensor has {Length}.", nameof(shape));
        return new Tensor(_storage, _offset, copy);
    }

    /// <summary>A deep copy (with an array of its own, also for a view).</summary>
    public Tensor Clone() => new(Span.ToArray(), _shape);

    /// <summary>Sets every element to zero.</summary>
    public void Clear() => Span.Clear();

    /// <summary>Sets every element to <paramref name="value"/>.</summary>
    public void Fill(float value) => Span.Fill(value);

    /// <summary>Copies <paramref name="source"/>'s elements into this tensor (shapes must match).</summary>
    public void CopyFrom(Tensor source)
    {
        if (!SameShape(source))
            throw new ArgumentException($"shape {source.ShapeString} does not match {ShapeString}.", nameof(source));
        source.Span.CopyTo(Span);
    }

    /// <summary>The shape as "[2, 3, 8, 8]".</summary>
    public string ShapeString => "[" + string.Join(", ", _shape) + "]";

    /// <inheritdoc/>
    public override string ToString() => $"Tensor{ShapeString}";

    /// <summary>Formats a shape as "[2, 3, 8, 8]".</summary>
    public static string FormatShape(ReadOnlySpan<int> shape) => "[" + string.Join(", ", shape.ToArray()) + "]";

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static long CheckedLength(int[] shape)
    {
        long n = 1;
        foreach (int d in shape)
        {
            if (d < 0) throw new ArgumentException($"shape [{string.Join(", ", shape)}] has a negative dimension.", nameof(shape));
            n *= d;
            if (n > Array.MaxLength) throw new ArgumentException($"shape [{string.Join(", ", shape)}] has more than {Array.MaxLength} elements.", nameof(shape));
        }
        return n;
    }
}
