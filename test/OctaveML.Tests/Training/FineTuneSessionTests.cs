using OctaveML.Models;
using OctaveML.Tensors;
using OctaveML.Training;

namespace OctaveML.Tests.Training;

/// <summary>
/// The fine-tuning options of a managed training session: a backbone learning at a fraction of the head's
/// rate, a frozen backbone, batch norms that keep their running statistics.
/// </summary>
public class FineTuneSessionTests
{
    private static readonly OctCifarResNetSpec Spec = new() { Depth = 8, Alpha = 0.5, NumClasses = 3, InChannels = 1 };

    /// <summary>Plain SGD (no momentum, no decay), constant rate: one step moves each weight by lr x factor x gradient.</summary>
    private static TrainerOptions PlainSgd(double backboneFactor = 1, bool freezeBatchNorm = false) => new()
    {
        Optimizer = OptimizerKind.Sgd, Momentum = 0, WeightDecay = 0, Schedule = ScheduleKind.Constant,
        BackboneLearningRateFactor = backboneFactor, FreezeBatchNormStatistics = freezeBatchNorm,
    };

    private static (Tensor Images, int[] Labels) Batch()
    {
        var rng = new Rng(21);
        var images = new Tensor(6, 1, 16, 16);
        rng.FillNormal(images.Data, 0, 1);
        return (images, [0, 1, 2, 0, 1, 2]);
    }

    /// <summary>Each weight's change after one step at <paramref name="lr"/> from the seed-3 network.</summary>
    private static Dictionary<string, float[]> OneStep(TrainerOptions options, double lr, out ManagedSession session)
    {
        var model = Spec.CreateModel(seed: 3);
        var before = model.StateDict().ToDictionary(kv => kv.Key, kv => (float[])kv.Value.Data.Clone());
        session = new ManagedBackend(threads: 1).CreateSession(model, options);
        var (images, labels) = Batch();
        session.ForwardBackward(images, labels);
        session.Step(lr);
        return model.NamedParameters().ToDictionary(p => p.Name, p => p.Parameter.Value.Data.Select((v, i) => v - before[p.Name][i]).ToArray());
    }

    [Fact]
    public void A_backbone_learning_rate_factor_scales_the_backbone_sgd_step_and_leaves_the_heads_alone()
    {
        var full = OneStep(PlainSgd(), lr: 0.5, out _);
        var tenth = OneStep(PlainSgd(backboneFactor: 0.1), lr: 0.5, out var session);

        foreach (var (name, delta) in tenth)
        {
            if (TrainerOptions.IsHead(name))
            {
                delta.Should().Equal(full[name], $"{name} is the head: same gradient, same rate");
                continue;
            }
            double sumFull = full[name].Sum(d => Math.Abs((double)d)), sumTenth = delta.Sum(d => Math.Abs((double)d));
            sumFull.Should().BeGreaterThan(0, $"{name} has a gradient");
            (sumTenth / sumFull).Should().BeApproximately(0.1, 1e-3, $"{name} steps at a tenth of the rate");
            for (int i = 0; i < delta.Length; i++)
                delta[i].Should().BeApproximately(0.1f * full[name][i], 1e-6f, $"{name}[{i}]");
        }
        session.Optimizer.LearningRateFactor("layer1.0.conv1.conv.conv_h2h.weight").Should().Be(0.1);
        session.Optimizer.LearningRateFactor("fc.weight").Should().Be(1);
    }

    [Fact]
    public void A_frozen_backbone_is_left_out_of_the_optimizer_and_keeps_every_weight()
    {
        var delta = OneStep(PlainSgd(backboneFactor: 0) with { Momentum = 0.9 }, lr: 0.5, out var session);

        session.Optimizer.Parameters.Select(p => p.Name).Should().Equal("fc.weight", "fc.bias");
        session.OptimizerStateDict().Keys.Should().BeEquivalentTo("fc.weight.momentum_buffer", "fc.bias.momentum_buffer");
        foreach (var (name, d) in delta)
        {
            if (TrainerOptions.IsHead(name)) d.Should().Contain(x => x != 0, $"{name} learns");
            else d.Should().OnlyContain(x => x == 0, $"{name} is frozen");
        }
    }

    [Fact]
    public void Frozen_batch_norm_statistics_normalise_training_batches_and_stay_unchanged()
    {
        var model = Spec.CreateModel(seed: 3);
        var (images, labels) = Batch();
        model.Forward(images); // running statistics a tenth of the way from their initial values to this batch's: neither
        var buffers = model.NamedBuffers().ToDictionary(b => b.Name, b => (float[])b.Buffer.Data.Clone());
        model.Eval();
        var evalLogits = model.Forward(images);
        float evalLoss = OctaveML.Ops.CrossEntropyKernel.ForwardBackward(6, 3, evalLogits.Data, labels, Span<float>.Empty);
        using var session = new ManagedBackend(threads: 1).CreateSession(model, PlainSgd(freezeBatchNorm: true));

        var result = session.ForwardBackward(images, labels);
        session.Step(0.5);

        result.Loss.Should().Be(evalLoss, "a training batch is normalised with the running statistics, as in eval mode");
        var twin = Spec.CreateModel(seed: 3);
        twin.Forward(images);
        float batchStatisticsLoss = OctaveML.Ops.CrossEntropyKernel.ForwardBackward(6, 3, twin.Forward(images).Data, labels, Span<float>.Empty);
        batchStatisticsLoss.Should().NotBeApproximately(evalLoss, 1e-3f, "batch statistics give another loss, so the test can tell");
        foreach (var (name, b) in model.NamedBuffers()) b.Data.Should().Equal(buffers[name], $"{name} stays as it was");
        model.StateDict()["bn1.weight"].Data.Should().Contain(x => x != 1, "the batch norms' scale still learns");
        session.Gradients()["layer1.0.conv1.bn_h.bias"].Data.Should().Contain(x => x != 0);
    }

    [Fact]
    public void Fine_tuning_options_out_of_range_are_rejected_naming_them()
    {
        FluentActions.Invoking(() => new TrainerOptions { BackboneLearningRateFactor = 1.5 }.Validate())
            .Should().Throw<ArgumentOutOfRangeException>().WithMessage("TrainerOptions.BackboneLearningRateFactor must be in [0, 1] (0 freezes the backbone)*");
        var optimizer = PlainSgd().CreateOptimizer(Spec.CreateModel());
        FluentActions.Invoking(() => optimizer.SetLearningRateFactor("fc.nope", 0.1))
            .Should().Throw<ArgumentException>().WithMessage("'fc.nope' is not one of this optimizer's * parameters*");
        FluentActions.Invoking(() => optimizer.SetLearningRateFactor("fc.bias", -1))
            .Should().Throw<ArgumentOutOfRangeException>().WithMessage("factor must be a finite value >= 0*");
    }
}
