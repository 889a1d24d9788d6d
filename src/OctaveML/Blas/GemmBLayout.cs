using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace OctaveML.Blas;

/// <summary>
/// Where a register-blocked kernel reads its kc rows of NR floats of B: a packed micro-panel
/// (<see cref="PackedB"/>, aligned) or B itself in place (<see cref="InPlaceB"/>, any alignment).
/// Kernels take it as a struct type argument, so the JIT compiles one k loop per layout, with no
/// branch in it.
/// </summary>
internal unsafe interface IGemmBLayout
{
    /// <summary>Eight floats of a B row.</summary>
    static abstract Vector256<float> Load256(float* p);

    /// <summary>Sixteen floats of a B row.</summary>
    static abstract Vector512<float> Load512(float* p);
}

/// <summary>B packed by <see cref="GemmPacking"/>: micro-panels on vector boundaries, aligned loads.</summary>
internal readonly unsafe struct PackedB : IGemmBLayout
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Load256(float* p) => Vector256.LoadAligned(p);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Load512(float* p) => Vector512.LoadAligned(p);
}

/// <summary>Rows of the caller's B, read where they are: unaligned loads.</summary>
internal readonly unsafe struct InPlaceB : IGemmBLayout
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Load256(float* p) => Vector256.Load(p);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Load512(float* p) => Vector512.Load(p);
}
