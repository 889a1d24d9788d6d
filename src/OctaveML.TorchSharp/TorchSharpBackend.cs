using TorchSharp;
using OctaveML.Models;
using OctaveML.Training;
using OctaveML.TorchSharp.Native;
using static TorchSharp.torch;

namespace OctaveML.TorchSharp;

/// <summary>
/// The TorchSharp backend: trains the spec's network as a TorchSharp module with libtorch's autograd and
/// torch.optim, on the CPU or a CUDA GPU. The application references the native bundle (TorchSharp-cpu,
/// TorchSharp-cuda-windows or TorchSharp-cuda-linux). Before libtorch runs its first kernel the backend
/// caps oneDNN at AVX2 on an AVX-512 CPU (libtorch 2.10 computes wrong convolution gradients there) and,
/// unless told otherwise or the user set their own, makes OpenMP wait passively (<see cref="PassiveOpenMpWait"/>)
/// and keeps libtorch's buffers on glibc's heap (<see cref="TuneAllocator"/>). These are process-wide and
/// take effect from the first backend that uses libtorch: create it before other TorchSharp use.
/// </summary>
/// <example><code>Backend = new OctaveML.TorchSharp.TorchSharpBackend(device: "cuda")</code></example>
public sealed class TorchSharpBackend : ITrainingBackend
{
    /// <summary>A backend training on <paramref name="device"/>.</summary>
    /// <param name="device">"cpu", "cuda" or "cuda:N".</param>
    /// <param name="threads">libtorch's CPU threads while a session runs (null: libtorch's default).</param>
    public TorchSharpBackend(string device = "cpu", int? threads = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(device);
        if (threads is < 1) throw new ArgumentOutOfRangeException(nameof(threads), threads, "threads must be at least 1 (or null for libtorch's default).");
        Device = device;
        Threads = threads;
    }

    /// <summary>The device sessions train on ("cpu", "cuda", "cuda:N").</summary>
    public string Device { get; }

    /// <summary>libtorch's CPU threads while a session runs; null keeps libtorch's default.</summary>
    public int? Threads { get; }

    /// <summary>
    /// On glibc, turn off malloc's mmap and trimming for the process (PyTorch's MALLOC_MMAP_MAX_=0 advice), which
    /// otherwise maps libtorch's largest activation buffers afresh every step; skipped when MALLOC_* variables or
    /// LD_PRELOAD are set. Default true.
    /// </summary>
    public bool TuneAllocator { get; init; } = true;

    /// <summary>
    /// Set OMP_WAIT_POLICY=PASSIVE before libtorch loads, so that OpenMP threads sleep between parallel regions
    /// instead of spinning (spinning costs several times the step time on a CPU shared with other work); skipped
    /// when OMP_WAIT_POLICY or GOMP_SPINCOUNT is set. Default true.
    /// </summary>
    public bool PassiveOpenMpWait { get; init; } = true;

    /// <inheritdoc/>
    public string Name => "torchsharp";

    /// <summary>
    /// <inheritdoc/> Throws <see cref="TorchSharpBackendException"/> when the device is not available
    /// (no GPU, or a CPU-only libtorch) or this CPU computes wrong gradients.
    /// </summary>
    public ITrainingSession CreateSession(ModelSpec spec, TrainerOptions options, int seed)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(options);
        LibTorchRuntime.Initialize(TuneAllocator, PassiveOpenMpWait);
        return new TorchSharpSession(spec, options, seed, ResolveDevice(), Threads);
    }

    private Device ResolveDevice()
    {
        string[] parts = Device.Trim().ToLowerInvariant().Split(':');
        int index = -1;
        bool valid = parts.Length switch
        {
            1 => parts[0] is "cpu" or "cuda",
            2 => parts[0] == "cuda" && int.TryParse(parts[1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out index),
            _ => false,
        };
        if (!valid) throw new TorchSharpBackendException($"device '{Device}' is not one this backend takes: use \"cpu\", \"cuda\" or \"cuda:N\".");
        if (parts[0] == "cpu") return CPU;
        if (!cuda.is_available())
            throw new TorchSharpBackendException(
                $"device '{Device}': libtorch sees no CUDA device. Reference TorchSharp-cuda-windows or TorchSharp-cuda-linux (not TorchSharp-cpu) and run on a machine with an NVIDIA GPU and its driver.");
        int count = cuda.device_count();
        if (index >= count) throw new TorchSharpBackendException($"device '{Device}': there are {count} CUDA devices (cuda:0 to cuda:{count - 1}).");
        return index < 0 ? CUDA : device(DeviceType.CUDA, index);
    }

    /// <inheritdoc/>
    public override string ToString() => $"torchsharp ({Device})";
}
