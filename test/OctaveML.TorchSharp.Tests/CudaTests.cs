using OctaveML.Training;
using Xunit.Abstractions;

namespace OctaveML.TorchSharp.Tests;

/// <summary>Training on a GPU: the same step as on the CPU; and a clear refusal where there is no GPU.</summary>
public class CudaTests(ITestOutputHelper output)
{
    [CudaFact]
    public void A_training_step_on_cuda_matches_the_cpu()
    {
        var spec = Fixtures.CifarResNet20;
        using var gpu = new TorchSharpBackend(device: "cuda").CreateSession(spec, Fixtures.Sgd, seed: 2);
        using var cpu = new TorchSharpBackend(device: "cpu").CreateSession(spec, Fixtures.Sgd, seed: 2);
        var (images, labels) = Fixtures.Batch(spec, 8, 3);
        var a = gpu.ForwardBackward(images, labels);
        var b = cpu.ForwardBackward(images, labels);
        gpu.Step(0.05, null); cpu.Step(0.05, null);
        output.WriteLine($"{gpu.Description}: loss {a.Loss:R} (cpu {b.Loss:R})");
        a.Loss.Should().BeApproximately(b.Loss, 1e-4f);
        Fixtures.MaxAbsDiff(gpu.Predict(images), cpu.Predict(images)).Should().BeLessThan(1e-3);
    }

    [Fact]
    public void Without_a_cuda_device_the_backend_says_what_to_install()
    {
        if (global::TorchSharp.torch.cuda.is_available()) return; // covered by the test above
        FluentActions.Invoking(() => new TorchSharpBackend(device: "cuda").CreateSession(Fixtures.CifarResNet20, Fixtures.Sgd, seed: 1))
            .Should().Throw<TorchSharpBackendException>().WithMessage("*no CUDA device*TorchSharp-cuda-windows*");
    }
}
