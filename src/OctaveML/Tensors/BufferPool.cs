namespace OctaveML.Tensors;

/// <summary>
/// Recycles the float arrays of a model's transient tensors (activations and gradients), so
/// that a training step allocates nothing once warm: fresh multi-megabyte arrays every step cost
/// page faults, zeroing and gen-2 collections, and garbage that the GC returns late inflates the
/// peak resident memory. Arrays are kept per exact length. One model, one thread: not thread-safe.
/// </summary>
internal sealed class BufferPool
{
    private readonly Dictionary<int, Stack<float[]>> _free = new();
    private readonly HashSet<float[]> _isFree = new(ReferenceEqualityComparer.Instance);

    /// <summary>Floats held by free arrays (for tests and diagnostics).</summary>
    public long FreeFloats { get; private set; }

    /// <summary>A tensor of the given shape with undefined contents, on a recycled array when one fits.</summary>
    public Tensor Rent(params int[] shape)
    {
        long n = 1;
        foreach (int d in shape) n *= d;
        if (n > 0 && _free.TryGetValue((int)n, out var stack) && stack.TryPop(out var data))
        {
            _isFree.Remove(data);
            FreeFloats -= data.Length;
            return new Tensor(data, shape);
        }
        return Tensor.Uninitialized(shape);
    }

    /// <summary>Gives back a tensor nobody reads any more (null is ignored).</summary>
    public void Return(Tensor? tensor)
    {
        if (tensor is null || tensor.Length == 0) return;
        var data = tensor.Data;
        // A second return would hand one array to two owners: fail loudly instead of corrupting gradients.
        if (!_isFree.Add(data))
            throw new InvalidOperationException($"a {tensor.ShapeString} buffer was returned to the pool twice.");
        if (!_free.TryGetValue(data.Length, out var stack)) _free[data.Length] = stack = new Stack<float[]>();
        stack.Push(data);
        FreeFloats += data.Length;
    }
}
