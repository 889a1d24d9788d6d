namespace OctaveML.TorchSharp.Native;

/// <summary>
/// The process-wide settings the backend makes before libtorch runs its first kernel, once per process.
/// </summary>
internal static class LibTorchRuntime
{
    /// <summary>The variable oneDNN reads (once, at its first kernel) to cap the instruction set it uses.</summary>
    public const string IsaVariable = "ONEDNN_MAX_CPU_ISA";

    /// <summary>The largest error <see cref="ConvolutionCheck"/> accepts (float32 against float64).</summary>
    public const double MaxConvolutionError = 1e-3;

    private static readonly object Gate = new();
    private static bool _isaDone, _allocatorDone, _waitDone;

    /// <summary>oneDNN's instruction-set cap: the one set here, the user's, or null (none).</summary>
    public static string? CpuIsaLimit { get; private set; }

    /// <summary>True once glibc's malloc was tuned for libtorch (<see cref="GlibcMalloc"/>).</summary>
    public static bool AllocatorTuned { get; private set; }

    /// <summary>The OpenMP wait policy libtorch runs with (<see cref="OpenMpWait"/>), or null when left alone.</summary>
    public static string? OpenMpWaitPolicy { get; private set; }

    /// <summary>
    /// Optionally makes OpenMP wait passively (before libtorch loads), caps oneDNN at AVX2 on a CPU with AVX-512
    /// (unless the user set a cap) and on such a CPU checks that convolution gradients come out right, and
    /// optionally tunes glibc's malloc. Throws <see cref="TorchSharpBackendException"/> when the gradients are
    /// wrong (the cap came too late or was lifted).
    /// </summary>
    public static void Initialize(bool tuneAllocator, bool passiveWait = false)
    {
        lock (Gate)
        {
            if (passiveWait && !_waitDone)
            {
                OpenMpWaitPolicy = OpenMpWait.Configure();
                _waitDone = true;
            }
            if (!_isaDone)
            {
                // libtorch 2.10's oneDNN computes wrong input gradients for 3x3 convolutions with 8 output
                // channels on AVX-512 (errors up to 40%, sometimes NaN); its AVX2 kernels are right.
                CpuIsaLimit = Environment.GetEnvironmentVariable(IsaVariable) ?? Environment.GetEnvironmentVariable("DNNL_MAX_CPU_ISA");
                if (CpuIsaLimit is null && CpuFeatures.HasAvx512)
                {
                    Libc.SetEnvironmentVariable(IsaVariable, "AVX2");
                    CpuIsaLimit = "AVX2";
                }
                if (CpuFeatures.HasAvx512)
                {
                    double error = ConvolutionCheck.BackwardDataError();
                    if (!(error <= MaxConvolutionError))
                        throw new TorchSharpBackendException(
                            $"libtorch computes wrong convolution gradients on this AVX-512 CPU (relative error {error:G3} for a 3x3 convolution with 8 output channels; " +
                            $"{IsaVariable} is {CpuIsaLimit ?? "unset"}). Set {IsaVariable}=AVX2 before the process uses TorchSharp, or create the TorchSharpBackend first.");
                }
                _isaDone = true;
            }
            if (tuneAllocator && !_allocatorDone)
            {
                AllocatorTuned = GlibcMalloc.KeepBuffersOnHeap();
                _allocatorDone = true;
            }
        }
    }
}
