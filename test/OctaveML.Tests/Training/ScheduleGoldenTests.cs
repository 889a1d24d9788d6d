using OctaveML.Tests.Infrastructure;
using OctaveML.Training;

namespace OctaveML.Tests.Training;

/// <summary>Learning-rate schedules against torch.optim.lr_scheduler curves (tools/golden/gen_optim.py).</summary>
public class ScheduleGoldenTests
{
    public static TheoryData<string> Curves => new() { "step", "cosine", "cosine_warmup", "onecycle", "onecycle_default", "onecycle_momentum" };

    private static LearningRateSchedule Make(string name) => name switch
    {
        "step" => new StepSchedule(0.1, 7, 0.5),
        "cosine" => new CosineSchedule(0.1, 50, minLearningRate: 0.001),
        "cosine_warmup" => new CosineSchedule(0.1, 50, warmupIterations: 10, warmupStartFactor: 0.01),
        "onecycle" => new OneCycleSchedule(0.4, 60, pctStart: 0.25),
        "onecycle_default" => new OneCycleSchedule(1.0, 37),
        "onecycle_momentum" => new OneCycleSchedule(0.2, 45, pctStart: 0.4, cycleMomentum: true, baseMomentum: 0.8, maxMomentum: 0.9),
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [MemberData(nameof(Curves))]
    public void Curve_matches_PyTorch(string name)
    {
        var expected = Golden.Load("optim")[$"sched_{name}/lr"].Data;
        var schedule = Make(name);
        var actual = Enumerable.Range(0, expected.Length).Select(i => (float)schedule.LearningRate(i)).ToArray();
        Close.Assert(actual, expected, name, rtol: 1e-5f, atol: 1e-8f);
        if (Golden.Load("optim").TryGetValue($"sched_{name}/momentum", out var momentum))
        {
            var m = Enumerable.Range(0, momentum.Length).Select(i => (float)schedule.Momentum(i)!.Value).ToArray();
            Close.Assert(m, momentum.Data, name + " momentum", rtol: 1e-6f, atol: 1e-8f);
        }
        else schedule.Momentum(0).Should().BeNull();
    }

    [Fact]
    public void Past_the_end_keeps_the_final_rate()
    {
        var cos = new CosineSchedule(0.1, 50, minLearningRate: 0.001);
        cos.LearningRate(50).Should().BeApproximately(0.001, 1e-12);
        cos.LearningRate(500).Should().BeApproximately(0.001, 1e-12);
        var one = new OneCycleSchedule(0.4, 60, pctStart: 0.25);
        one.LearningRate(1000).Should().Be(one.LearningRate(59));
        new ConstantSchedule(0.3).LearningRate(123456).Should().Be(0.3);
        StepSchedule.ByEpochs(1, 2, 0.1, 10).LearningRate(19).Should().Be(1);
        StepSchedule.ByEpochs(1, 2, 0.1, 10).LearningRate(20).Should().BeApproximately(0.1, 1e-15);
    }

    [Fact]
    public void Bad_arguments_name_the_argument()
    {
        FluentActions.Invoking(() => new ConstantSchedule(0.1).LearningRate(-1)).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("iteration");
        FluentActions.Invoking(() => new CosineSchedule(0.1, 10, warmupIterations: 10)).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("warmupIterations");
        FluentActions.Invoking(() => new OneCycleSchedule(0.1, 3, pctStart: 0.1)).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("pctStart");
        FluentActions.Invoking(() => new StepSchedule(0.1, 0)).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("stepSize");
    }
}
