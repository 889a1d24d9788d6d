using OctaveML.Bench;

namespace OctaveML.Bench.Tests;

public class PeakFractionTests
{
    private const string Child = """
        train_step_s 2.5
        step_peak_gflop 500
        fma_peak_gflops 200
        infer_step_s 0.8
        loss 2.3
        train_peak_rss_mb 950.5
        peak_rss_mb 990
        memory_gbps 25
        """;

    [Fact]
    public void The_fraction_is_the_steps_flop_over_the_peak_gflop_of_its_time()
    {
        // 16 images of 3 x 2 x 4.089 GMACs in a step during which the machine could have done 200 GFLOP/s x 2 s.
        PeakPairedSteps.Fraction(16 * 6 * 4.089e9, 400).Should().BeApproximately(16 * 6 * 4.089 / 400, 1e-12);
        var act = () => PeakPairedSteps.Fraction(1e9, 0);
        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*positive*");
    }

    [Fact]
    public void The_childs_lines_are_read_into_an_engine_run()
    {
        var run = EngineRun.Parse(Child.Replace("\r", ""));
        run.Should().Be(new EngineRun(2.5, 0.8, 500, 200, 25, 950.5, 990));
        run.TrainPeakFraction(6 * 2.367e9, 16).Should().BeApproximately(16 * 6 * 2.367 / 500, 1e-12);
    }

    [Fact]
    public void A_peak_sample_reading_low_does_not_raise_the_fraction()
    {
        // Paired samples read 100 GFLOP/s (step x peak = 250 GFLOP), but the best sample was 200: the fraction
        // is against 2.5 s x 200 GFLOP/s, not the 250 GFLOP the low samples claim.
        var run = EngineRun.Parse(Child.Replace("\r", "").Replace("step_peak_gflop 500", "step_peak_gflop 250").Replace("fma_peak_gflops 200", "fma_peak_gflops 100\nfma_peak_max_gflops 200"));
        run.MaxPeakGflops.Should().Be(200);
        run.TrainPeakFraction(6 * 2.367e9, 16).Should().BeApproximately(16 * 6 * 2.367 / 500, 1e-12);
        // Samples that agree with the steps keep the paired figure.
        (run with { StepPeakGflop = 600 }).TrainPeakFraction(6 * 2.367e9, 16).Should().BeApproximately(16 * 6 * 2.367 / 600, 1e-12);
    }

    [Fact]
    public void A_missing_line_is_named()
    {
        var act = () => EngineRun.Parse("train_step_s 1\ninfer_step_s 1\n");
        act.Should().Throw<InvalidOperationException>().WithMessage("*'step_peak_gflop'*");
    }

    [Fact]
    public void Paired_steps_report_medians_and_the_median_product()
    {
        int calls = 0;
        var r = PeakPairedSteps.Measure(() => { calls++; Thread.Sleep(1); }, steps: 3, warmup: 2, threads: 1);
        calls.Should().Be(5);
        r.PeakGflops.Should().BePositive();
        r.StepPeakGflop.Should().BePositive();
        r.MaxPeakGflops.Should().BeGreaterThanOrEqualTo(r.PeakGflops);
        r.StepSeconds.Should().BeGreaterThanOrEqualTo(1e-3);
    }
}
