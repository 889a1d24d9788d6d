using OctaveML.Nn;
using OctaveML.Training;
using OctaveML.TorchSharp.Native;
using static TorchSharp.torch;

namespace OctaveML.TorchSharp.Tests;

/// <summary>What the backend does to the process and how it reports what it cannot do.</summary>
public class RuntimeTests
{
    [Fact]
    public void OneDNN_is_capped_at_AVX2_exactly_on_AVX512_CPUs()
    {
        string? user = Environment.GetEnvironmentVariable(LibTorchRuntime.IsaVariable);
        LibTorchRuntime.Initialize(tuneAllocator: true, passiveWait: true);
        if (user is not null)
        {
            LibTorchRuntime.CpuIsaLimit.Should().Be(user, "the user's own cap stands");
            return;
        }
        string? expected = CpuFeatures.HasAvx512 ? "AVX2" : null;
        LibTorchRuntime.CpuIsaLimit.Should().Be(expected);
        Libc.GetEnvironmentVariable(LibTorchRuntime.IsaVariable).Should().Be(expected, "oneDNN reads the C environment");
    }

    [Fact]
    public void OpenMP_waits_passively_unless_the_user_chose()
    {
        string? user = Environment.GetEnvironmentVariable(OpenMpWait.Variable) ?? Environment.GetEnvironmentVariable("GOMP_SPINCOUNT");
        LibTorchRuntime.Initialize(tuneAllocator: true, passiveWait: true);
        if (user is not null) return;
        LibTorchRuntime.OpenMpWaitPolicy.Should().Be("PASSIVE");
        Libc.GetEnvironmentVariable(OpenMpWait.Variable).Should().Be("PASSIVE", "OpenMP reads the C environment when libtorch loads");
    }

    [Fact]
    public void Convolution_input_gradients_are_right_on_this_CPU()
    {
        // The shape oneDNN's AVX-512 kernels got wrong in libtorch 2.10: a 3x3 convolution, 8 channels in and out.
        LibTorchRuntime.Initialize(tuneAllocator: true, passiveWait: true);
        ConvolutionCheck.BackwardDataError(tries: 5).Should().BeLessThan(1e-5);
    }

    [Fact]
    public void A_session_runs_libtorch_with_its_own_thread_count()
    {
        using var session = new TorchSharpBackend(threads: 1).CreateSession(Fixtures.CifarResNet20, Fixtures.Sgd, seed: 1);
        set_num_threads(2);
        var (images, labels) = Fixtures.Batch(Fixtures.CifarResNet20, 2, 1);
        session.ForwardBackward(images, labels);
        get_num_threads().Should().Be(1);
        session.Threads.Should().Be(1);
        session.Description.Should().Contain("1 threads");
    }

    [Fact]
    public void A_batch_norm_left_with_one_value_per_channel_is_a_BatchTooSmallException()
    {
        // 4 px and one image: layer2's low-frequency maps are 1x1, one value per channel, as the engine reports too.
        using var session = new TorchSharpBackend().CreateSession(Fixtures.CifarResNet20, Fixtures.Sgd, seed: 1);
        using var engine = new ManagedBackend().CreateSession(Fixtures.CifarResNet20, Fixtures.Sgd, seed: 1);
        var images = new Tensors.Tensor(1, 1, 4, 4);
        string expected = FluentActions.Invoking(() => engine.ForwardBackward(images, [3])).Should().Throw<BatchTooSmallException>().Which.InputShape;
        FluentActions.Invoking(() => session.ForwardBackward(images, [3]))
            .Should().Throw<BatchTooSmallException>().Which.InputShape.Should().Be(expected).And.Be("[1, 16, 1, 1]");
    }

    [Fact]
    public void Bad_batches_are_refused_as_the_engine_refuses_them()
    {
        using var session = new TorchSharpBackend().CreateSession(Fixtures.CifarResNet20, Fixtures.Sgd, seed: 1);
        using var engine = new ManagedBackend().CreateSession(Fixtures.CifarResNet20, Fixtures.Sgd, seed: 1);
        foreach (var s in new[] { session, engine })
        {
            FluentActions.Invoking(() => s.ForwardBackward(new Tensors.Tensor(2, 3, 8, 8), [0, 1]))
                .Should().Throw<ArgumentException>().WithMessage("images have shape [2, 3, 8, 8], expected [N, 1, H, W].*");
            FluentActions.Invoking(() => s.ForwardBackward(new Tensors.Tensor(2, 1, 8, 8), [0, 10]))
                .Should().Throw<ArgumentOutOfRangeException>().WithMessage("labels[1] is 10; expected a class index in [0, 10).*");
        }
    }

    [Fact]
    public void Foreign_optimizer_state_is_refused_by_name()
    {
        using var session = new TorchSharpBackend().CreateSession(Fixtures.CifarResNet20, Fixtures.Sgd, seed: 1);
        FluentActions.Invoking(() => session.LoadOptimizerStateDict(new Dictionary<string, Tensors.Tensor> { ["fc.weight.exp_avg"] = new(10, 64) }))
            .Should().Throw<ArgumentException>().WithMessage("*'fc.weight.exp_avg'*momentum_buffer*");
        FluentActions.Invoking(() => session.LoadOptimizerStateDict(new Dictionary<string, Tensors.Tensor> { ["fc.weight.momentum_buffer"] = new(3) }))
            .Should().Throw<ArgumentException>().WithMessage("*has 3 elements, expected 640*");
    }

    [Fact]
    public void An_unknown_device_is_refused_with_the_devices_it_takes()
    {
        FluentActions.Invoking(() => new TorchSharpBackend(device: "tpu").CreateSession(Fixtures.CifarResNet20, Fixtures.Sgd, seed: 1))
            .Should().Throw<TorchSharpBackendException>().WithMessage("*'tpu'*\"cpu\", \"cuda\"*");
    }
}
