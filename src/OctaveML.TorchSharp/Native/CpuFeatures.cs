using System.Runtime.Intrinsics.X86;

namespace OctaveML.TorchSharp.Native;

/// <summary>What the processor offers, as oneDNN sees it (CPUID, whatever the .NET JIT was told to use).</summary>
internal static class CpuFeatures
{
    /// <summary>True when CPUID reports AVX-512 Foundation (leaf 7, EBX bit 16).</summary>
    public static bool HasAvx512 => X86Base.IsSupported && (X86Base.CpuId(7, 0).Ebx & (1 << 16)) != 0;
}
