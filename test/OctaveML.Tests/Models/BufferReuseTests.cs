using OctaveML.Models;
using OctaveML.Ops;
using OctaveML.Tensors;
using OctaveML.Training;

namespace OctaveML.Tests.Models;

/// <summary>
/// Models reuse their layers' output arrays and recycle gradients through a pool: training must give
/// bit-identical results to fresh allocation, and a warm step must allocate next to nothing.
/// </summary>
public class BufferReuseTests
{
    public static TheoryData<string> Models => new() { "oct_resnet26", "oct_cifar_resnet20", "oct_mobilenet", "cifar_resnet20_alpha0" };

    private static ImageClassifier Create(string name) => name switch
    {
        "oct_resnet26" => new OctResNet(26, 5, 0.5, ResNetStem.ImageNet, inChannels: 3, seed: 1),
        "oct_cifar_resnet20" => new OctCifarResNet(20, 5, 0.5, inChannels: 1, seed: 1),
        "cifar_resnet20_alpha0" => new OctCifarResNet(20, 5, 0, inChannels: 1, seed: 1),
        _ => new OctMobileNet(5, 0.5, inChannels: 3, widthMultiplier: 0.25, seed: 1),
    };

    private static (int Channels, int Size) Input(string name) => name switch
    {
        "oct_resnet26" => (3, 40),
        "oct_mobilenet" => (3, 40),
        _ => (1, 12),
    };

    /// <summary>Three SGD steps with an eval forward at another batch size between them; returns the weights and last logits.</summary>
    private static (Dictionary<string, Tensor> State, float[] Logits, float[] EvalLogits) Train(string name, bool reuse)
    {
        var model = Create(name);
        model.ReuseBuffers = reuse;
        var (c, s) = Input(name);
        var rng = new Rng(7);
        var sgd = new Sgd(model, 0.05, momentum: 0.9);
        float[] logits = [], evalLogits = [];
        for (int step = 0; step < 3; step++)
        {
            var x = new Tensor(4, c, s, s);
            rng.FillNormal(x.Data, 0, 1);
            int[] labels = [step % 5, 1, 2, (step + 3) % 5];
            model.Train();
            sgd.ZeroGrad();
            var y = model.Forward(x);
            var g = new Tensor(4, 5);
            CrossEntropyKernel.ForwardBackward(4, 5, y.Data, labels, g.Data);
            model.Backward(g);
            sgd.Step();
            logits = (float[])y.Data.Clone();
            model.Eval();
            var xe = new Tensor(3, c, s, s);
            rng.FillNormal(xe.Data, 0, 1);
            evalLogits = (float[])model.Forward(xe).Data.Clone();
        }
        return (model.StateDict().ToDictionary(kv => kv.Key, kv => kv.Value.Clone()), logits, evalLogits);
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void Reused_buffers_train_bit_identically_to_fresh_ones(string name)
    {
        var pooled = Train(name, reuse: true);
        var fresh = Train(name, reuse: false);
        pooled.Logits.Should().Equal(fresh.Logits);
        pooled.EvalLogits.Should().Equal(fresh.EvalLogits);
        foreach (var (key, t) in fresh.State)
            pooled.State[key].Data.Should().Equal(t.Data, key);
    }

    [Fact]
    public void Logits_are_not_overwritten_by_the_next_forward()
    {
        var model = Create("oct_cifar_resnet20");
        var x = new Tensor(2, 1, 12, 12);
        new Rng(1).FillNormal(x.Data, 0, 1);
        var first = model.Forward(x);
        var copy = (float[])first.Data.Clone();
        x.Data.AsSpan().Fill(0.5f);
        model.Forward(x);
        first.Data.Should().Equal(copy);
    }

    [Fact]
    public void A_warm_training_step_allocates_little()
    {
        long pooled = WarmStepAllocation(reuse: true), fresh = WarmStepAllocation(reuse: false);
        fresh.Should().BeGreaterThan(20_000_000, "the activations and gradients of batch 32 take tens of MB");
        pooled.Should().BeLessThan(fresh / 10, "a warm step should reuse its buffers");
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void Warm_steps_neither_grow_the_pool_nor_allocate_gradients(string name)
    {
        var model = Create(name);
        var (c, s) = Input(name);
        var sgd = new Sgd(model, 0.01, momentum: 0.9);
        var x = new Tensor(4, c, s, s);
        new Rng(3).FillNormal(x.Data, 0, 1);
        var g = new Tensor(4, 5);
        int[] labels = [0, 1, 2, 3];
        void Step()
        {
            sgd.ZeroGrad();
            var y = model.Forward(x);
            CrossEntropyKernel.ForwardBackward(4, 5, y.Data, labels, g.Data);
            model.Backward(g);
            sgd.Step();
        }
        Step();
        Step();
        long free = model.Buffers!.FreeFloats;
        Step();
        Step();
        // A layer that allocated its gradient outside the pool would hand one more array to it every step.
        model.Buffers.FreeFloats.Should().Be(free);
    }

    /// <summary>Bytes the calling thread allocates in the third training step of OctResNet-20, batch 32.</summary>
    private static long WarmStepAllocation(bool reuse)
    {
        var model = new OctCifarResNet(20, 10, 0.5, inChannels: 1, seed: 0) { ReuseBuffers = reuse };
        var sgd = new Sgd(model, 0.01, momentum: 0.9);
        var x = new Tensor(32, 1, 28, 28);
        new Rng(2).FillNormal(x.Data, 0, 1);
        var labels = new int[32];
        var g = new Tensor(32, 10);
        void Step()
        {
            sgd.ZeroGrad();
            var y = model.Forward(x);
            CrossEntropyKernel.ForwardBackward(32, 10, y.Data, labels, g.Data);
            model.Backward(g);
            sgd.Step();
        }
        Step();
        Step();
        long before = GC.GetAllocatedBytesForCurrentThread();
        Step();
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    [Fact]
    public void Pool_recycles_by_length_and_refuses_a_double_return()
    {
        var pool = new BufferPool();
        var a = pool.Rent(2, 3);
        pool.Return(a);
        pool.FreeFloats.Should().Be(6);
        var b = pool.Rent(3, 2);
        b.Data.Should().BeSameAs(a.Data);
        b.HasShape(3, 2).Should().BeTrue();
        pool.Rent(2, 3).Data.Should().NotBeSameAs(a.Data);
        pool.Return(b);
        FluentActions.Invoking(() => pool.Return(b)).Should().Throw<InvalidOperationException>().WithMessage("*twice*");
    }
}
