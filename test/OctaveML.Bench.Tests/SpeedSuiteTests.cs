using OctaveML.Bench;

namespace OctaveML.Bench.Tests;

public class SpeedSuiteTests
{
    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        int code = SpeedSuite.Run(args, o, e);
        return (code, o.ToString(), e.ToString());
    }

    [Theory]
    [InlineData("--mallocs", "tcmalloc", "--mallocs", "tcmalloc")]
    [InlineData("--peers", "expected pytorch", "--peers", "mxnet")]
    [InlineData("--onnx-runs", "0 (skip) or more", "--onnx-runs", "-1")]
    [InlineData("--consumer-rounds", "0 (skip) or more", "--consumer-rounds", "-2")]
    [InlineData("--depth", "needs --model", "--depth", "50")]
    [InlineData("--consumer-rounds", "expected an integer", "--consumer-rounds", "three")]
    public void A_bad_option_is_one_line_naming_it_before_anything_runs(string option, string expected, params string[] args)
    {
        var (code, output, err) = Run(args);
        code.Should().Be(SuiteCommand.UsageError);
        output.Should().BeEmpty();
        err.TrimEnd().Should().NotContain("\n").And.StartWith("error: ").And.Contain(option).And.Contain(expected);
    }

    [Fact]
    public void A_tiny_speed_run_takes_the_best_peer_over_libtorchs_allocator_settings()
    {
        var (code, output, err) = Run("--model", "oct-cifar-resnet", "--depth", "20", "--size", "16", "--batch-size", "4", "--steps", "1", "--warmup", "0",
            "--peers", "libtorch", "--mallocs", "default_malloc,glibc_tuned", "--onnx-runs", "0", "--consumer-rounds", "0", "--best-peer-rounds", "0");
        (code, err).Should().Be((0, ""));
        output.Should().Contain("libtorch under them: default_malloc: glibc malloc untouched, TuneAllocator = false; glibc_tuned: the backend's own mallopt");
        var f = SpeedTarget.Figures(output);
        double untouched = f["train_ratio_vs_libtorch_default_malloc_oct_resnet20_16"], tuned = f["train_ratio_vs_libtorch_glibc_tuned_oct_resnet20_16"];
        // With no further rounds the best peer's ratio is the fastest run's: the smallest of our ratios over the runs (4 decimals printed).
        f["train_ratio_vs_best_peer_oct_resnet20_16"].Should().BeApproximately(Math.Min(untouched, tuned), 1e-4);
        output.Should().Contain("1 alternating rounds");
        f["peak_rss_mb_libtorch_glibc_tuned_oct_resnet20_16"].Should().BePositive();
        output.Should().Contain("oct_resnet20_16: fastest peer libtorch 2.10");
        output.Should().Contain("target train_ratio_vs_best_peer_oct_resnet20_28 >= 2: not measured");
        // The octave saving, quiet and beside a busy process.
        f["oct_speedup_resnet20_16"].Should().BePositive();
        f["oct_speedup_under_load_resnet20_16"].Should().BePositive();
        output.Should().Contain("steps alternating in one process beside another process keeping one processor busy");
    }

    [Fact]
    public void The_best_peer_runs_again_in_rounds_alternating_with_ours()
    {
        var (code, output, err) = Run("--model", "oct-cifar-resnet", "--depth", "20", "--size", "16", "--batch-size", "4", "--steps", "1", "--warmup", "0",
            "--peers", "libtorch", "--mallocs", "glibc_tuned", "--onnx-runs", "0", "--consumer-rounds", "0", "--best-peer-rounds", "2");
        (code, err).Should().Be((0, ""));
        output.Should().Contain("oct_resnet20_16: fastest peer libtorch 2.10").And.Contain("3 alternating rounds of it and OctaveML");
        SpeedTarget.Figures(output)["train_ratio_vs_best_peer_oct_resnet20_16"].Should().BePositive();
    }

    [Fact]
    public void Figures_are_read_back_from_the_output_the_last_value_winning()
    {
        var f = SpeedTarget.Figures("cpu_model AMD EPYC\nfigure a_b 1.5\r\nfigure train_x 2\nfigure a_b 0.25\nfigure bad notanumber\nfigure too many parts\n");
        f.Should().Equal(new Dictionary<string, double> { ["a_b"] = 0.25, ["train_x"] = 2 });
    }

    [Theory]
    [InlineData("train_peak_fraction_oct_resnet50_224", 0.7, "target train_peak_fraction_oct_resnet50_224 >= 0.65: 0.7 met")]
    [InlineData("train_peak_fraction_oct_resnet50_224", 0.52, "target train_peak_fraction_oct_resnet50_224 >= 0.65: 0.52 missed")]
    [InlineData("train_peak_rss_mb_oct_resnet50_224", 1100.0, "target train_peak_rss_mb_oct_resnet50_224 <= 1100: 1100 met")]
    [InlineData("train_peak_rss_mb_oct_resnet50_224", 1234.56789, "target train_peak_rss_mb_oct_resnet50_224 <= 1100: 1234.5679 missed")]
    [InlineData("consumer_over_bench_oct_resnet50_224", null, "target consumer_over_bench_oct_resnet50_224 >= 0.95: not measured")]
    public void A_target_says_met_missed_or_not_measured(string figure, double? value, string expected)
    {
        SpeedTarget.Issue16.Single(t => t.Figure == figure).Describe(value).Should().Be(expected);
    }

    [Fact]
    public void The_issues_targets_are_all_there()
    {
        SpeedTarget.Issue16.Select(t => t.Figure).Should().OnlyHaveUniqueItems().And.HaveCount(12)
            .And.Contain(["oct_speedup_resnet50_224", "oct_speedup_under_load_resnet50_224", "ort_oct_speedup_resnet50_224", "train_ratio_vs_best_peer_oct_mobilenet_224"]);
        SpeedTarget.Issue16.Where(t => !t.AtLeast).Select(t => t.Figure).Should().Equal("train_peak_rss_mb_oct_resnet50_224");
    }

    [Fact]
    public void The_recording_writer_passes_on_and_keeps_what_is_written()
    {
        var inner = new StringWriter();
        var w = new RecordingWriter(inner);
        w.Write('a');
        w.Write("bc");
        w.WriteLine("d");
        Figure.Print(w, "x_y", 1.5);
        w.Text.Should().Be(inner.ToString()).And.Be($"abcd{Environment.NewLine}figure x_y 1.5{Environment.NewLine}");
    }

    [Fact]
    public void Onnx_groups_pair_each_octave_model_with_its_twin_once()
    {
        BenchModel oct = new("oct-resnet", 50, 0.5, 224, 16), plain = oct with { Alpha = 0 };
        BenchModel mobile = new("oct-mobilenet", null, 0.5, 224, 16), cifarPlain = new("oct-cifar-resnet", 20, 0, 28, 128);
        var groups = OnnxSuite.Groups([oct, plain, mobile, cifarPlain]);
        groups.Should().HaveCount(3);
        groups[0].Should().Equal(oct, plain);
        groups[1].Should().Equal(mobile, mobile with { Alpha = 0 });
        groups[2].Should().Equal(cifarPlain);
        OnnxSuite.Groups([plain, oct]).Should().ContainSingle().Which.Should().Equal(oct, plain);
    }
}
