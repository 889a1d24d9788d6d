using OctaveML.TorchSharp.Native;

namespace OctaveML.TorchSharp.Tests;

/// <summary>A fact that runs only where libtorch sees a CUDA device, and otherwise reports why it was skipped.</summary>
public sealed class CudaFactAttribute : FactAttribute
{
    public CudaFactAttribute()
    {
        LibTorchRuntime.Initialize(tuneAllocator: true, passiveWait: true);
        if (!global::TorchSharp.torch.cuda.is_available())
            Skip = "no CUDA device: this test project references TorchSharp-cpu (libtorch without CUDA); " +
                   "with TorchSharp-cuda-linux or -windows on a machine with an NVIDIA GPU it runs.";
    }
}
