namespace OctaveML.Blas;

/// <summary>
/// Per-thread packing buffers for <see cref="Gemm"/>: grown on demand, never shrunk, reused by
/// every later call on the same thread, so steady-state GEMMs allocate nothing. The arrays live
/// on the pinned object heap, so the aligned pointers into them stay valid.
/// </summary>
internal sealed unsafe class GemmWorkspace
{
    private const int Align = 64;

    [ThreadStatic] private static GemmWorkspace? _current;

    private float[] _a = [];
    private float[] _b = [];
    private float* _aPtr;
    private float* _bPtr;

    /// <summary>The calling thread's workspace.</summary>
    public static GemmWorkspace Current => _current ??= new GemmWorkspace();

    /// <summary>A 64-byte aligned buffer of at least <paramref name="floats"/> floats for packed A.</summary>
    public float* A(long floats) => Ensure(ref _a, ref _aPtr, floats);

    /// <summary>A 64-byte aligned buffer of at least <paramref name="floats"/> floats for packed B.</summary>
    public float* B(long floats) => Ensure(ref _b, ref _bPtr, floats);

    private static float* Ensure(ref float[] array, ref float* ptr, long floats)
    {
        long needed = floats + Align / sizeof(float);
        if (array.Length < needed)
        {
            array = GC.AllocateUninitializedArray<float>(checked((int)needed), pinned: true);
            fixed (float* p = array) // pinned-heap arrays never move
                ptr = (float*)(((nint)p + Align - 1) & ~(nint)(Align - 1));
        }
        return ptr;
    }
}
