using OctaveML.Bench;

namespace OctaveML.Bench.Tests;

/// <summary>The <c>onnx</c> suite: ONNX Runtime beside our engine, the octave speedup in ONNX Runtime, and what bounds it.</summary>
public class OnnxSuiteTests
{
    [Fact]
    public void A_profiled_pair_reports_its_speedups_and_leaves_each_profile_and_optimised_graph()
    {
        var dir = Directory.CreateTempSubdirectory("octaveml-onnx-suite-test.").FullName;
        try
        {
            var o = new StringWriter();
            OnnxSuite.Run(["--model", "oct-cifar-resnet", "--depth", "20", "--size", "28", "--batch-size", "4", "--threads", "1", "--runs", "1", "--ort-profile", dir],
                o, TextWriter.Null).Should().Be(0);
            var figures = SpeedTarget.Figures(o.ToString());
            figures["infer_imgs_per_s_onnxruntime_oct_resnet20_28"].Should().BePositive();
            figures["infer_imgs_per_s_onnxruntime_resnet20_28"].Should().BePositive();
            figures["ort_oct_speedup_resnet20_28"].Should().BePositive();
            figures["ort_conv_oct_speedup_resnet20_28"].Should().BePositive();
            o.ToString().Should().Contain("oct_resnet20_28: ONNX Runtime profile").And.Contain("  Conv ");
            Directory.GetFiles(dir, "*.optimized.onnx").Select(Path.GetFileName).Should().BeEquivalentTo(["oct_resnet20_28.optimized.onnx", "resnet20_28.optimized.onnx"]);
            Directory.GetFiles(dir, "*.json").Should().HaveCount(2);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void The_speed_suites_profiles_leave_no_optimised_graphs()
    {
        var dir = Directory.CreateTempSubdirectory("octaveml-onnx-suite-test.").FullName;
        try
        {
            var o = new StringWriter();
            OnnxSuite.Compare([new BenchModel("oct-cifar-resnet", 20, 0.5, 28, 4)], 1, 1, o, dir, optimizedGraphs: false);
            SpeedTarget.Figures(o.ToString())["ort_conv_oct_speedup_resnet20_28"].Should().BePositive();
            Directory.GetFiles(dir, "*.onnx").Should().BeEmpty();
            Directory.GetFiles(dir, "*.json").Should().HaveCount(2);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void The_bound_is_the_plain_models_convolution_time_over_the_octave_models()
    {
        var o = new StringWriter();
        OrtProfile.PrintBound("oct_x_1", new Dictionary<string, double> { ["Conv"] = 50, ["Upsample"] = 4, ["Add"] = 1 },
            "x_1", new Dictionary<string, double> { ["Conv"] = 80, ["AveragePool"] = 2 }, o);
        SpeedTarget.Figures(o.ToString())["ort_conv_oct_speedup_x_1"].Should().BeApproximately(1.6, 1e-12);
        o.ToString().Should().Contain("other nodes 2.0 / 5.0 ms");
    }

    [Fact]
    public void No_bound_is_printed_without_convolution_times()
    {
        var o = new StringWriter();
        OrtProfile.PrintBound("oct_x_1", new Dictionary<string, double> { ["Add"] = 1 }, "x_1", new Dictionary<string, double> { ["Conv"] = 80 }, o);
        o.ToString().Should().BeEmpty();
    }
}
