using OctaveML.Bench;

namespace OctaveML.Bench.Tests;

public class ConsumerBenchTests
{
    [Fact]
    public void The_consumer_over_bench_ratio_is_the_median_of_the_rounds_ratios()
    {
        StepTimes[] bench = [new(2.0, 4.0), new(2.2, 4.2), new(1.8, 3.9)];
        StepTimes[] consumer = [new(2.0, 4.4), new(2.4, 4.2), new(2.0, 4.0)];
        var c = new ConsumerComparison(bench, consumer, "", "");
        // Round ratios 1.0, 0.9167, 0.9: the median is the middle one, whatever each side's own median.
        c.ConsumerOverBench.Should().BeApproximately(2.2 / 2.4, 1e-12);
        // Processor time: 0.909, 1.0, 0.975.
        c.ConsumerOverBenchCpu.Should().BeApproximately(3.9 / 4.0, 1e-12);
    }

    [Fact]
    public void The_scripts_last_line_names_the_consumer_dll()
    {
        ConsumerBench.DllPath("== pack\nconsumer_dll /tmp/w/app/bin/Release/net10.0/PackageConsumer.dll\r\n")
            .Should().Be("/tmp/w/app/bin/Release/net10.0/PackageConsumer.dll");
        var act = () => ConsumerBench.DllPath("== build\nerror\n");
        act.Should().Throw<InvalidOperationException>().WithMessage("*consumer_dll PATH*");
    }

    [Fact]
    public void The_consumer_app_is_built_from_its_program_and_the_benchs_step_sources()
    {
        string bench = Path.Combine(Repository.Root(), "bench", "OctaveML.Bench");
        ConsumerBench.SharedSources.Should().Contain(["StepTiming.cs", "ModelTrainingStep.cs"]);
        foreach (var file in ConsumerBench.SharedSources) File.Exists(Path.Combine(bench, file)).Should().BeTrue(file);
        File.ReadAllText(Path.Combine(Repository.Root(), "nuget", "bench-consumer", "Program.cs")).Should().Contain("StepTiming.Run(args");
    }

    [Fact]
    public void Step_timing_arguments_describe_the_model_and_time_it()
    {
        var m = new BenchModel("oct-cifar-resnet", 8, 0.5, 16, 2);
        var args = StepTiming.Arguments(m, threads: 1, steps: 1, warmup: 0);
        args.Should().Equal("oct-cifar-resnet", "8", "0.5", "16", "2", "1", "1", "0");
        var o = new StringWriter();
        StepTiming.Run(args, o, TextWriter.Null).Should().Be(0);
        Figure.Value(o.ToString(), "train_step_s").Should().BePositive();
        Figure.Value(o.ToString(), "train_step_cpu_s").Should().BeGreaterThanOrEqualTo(0);
        o.ToString().Should().Contain("runtime System.Runtime.TieredPGO=");
        StepTiming.Arguments(m with { Model = "oct-mobilenet", Depth = null }, 2, 3, 1)[1].Should().Be("-");
    }

    [Fact]
    public void Step_timing_with_the_wrong_number_of_arguments_is_a_usage_error()
    {
        var e = new StringWriter();
        StepTiming.Run(["oct-resnet"], TextWriter.Null, e).Should().Be(2);
        e.ToString().Should().StartWith("error: step-timing: expected MODEL DEPTH|- ALPHA SIZE BATCH THREADS STEPS WARMUP");
    }
}
