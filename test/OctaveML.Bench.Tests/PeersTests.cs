using System.Diagnostics;
using OctaveML.Bench;

namespace OctaveML.Bench.Tests;

public class PeersTests
{
    private static PeerRun Run(string peer, MallocSetting malloc, double train) => new(peer, malloc, "1.13", train, train / 3, 300);

    [Fact]
    public void The_fastest_run_over_peers_and_allocators_is_the_best_peer()
    {
        var runs = new[]
        {
            Run("pytorch", MallocSetting.Default, 3.0),
            Run("pytorch", MallocSetting.GlibcTuned, 2.4),
            Run("libtorch", MallocSetting.Jemalloc("/x/libjemalloc.so.2"), 2.6),
        };
        var best = BestPeer.Fastest(runs);
        best.Should().BeSameAs(runs[1]);
        BestPeer.TrainRatio(best!, ourTrainSeconds: 1.2).Should().BeApproximately(2.0, 1e-12);
        BestPeer.Fastest([]).Should().BeNull();
        var act = () => BestPeer.TrainRatio(runs[0], 0);
        act.Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void The_best_peer_ratio_is_the_median_of_the_alternating_rounds_ratios()
    {
        // Round ratios 2.0, 1.0, 1.5: their median, not the ratio of the medians (2.0 / 1.0) nor one lucky round.
        BestPeer.MedianRatio([2.0, 1.0, 3.0], [1.0, 1.0, 2.0]).Should().BeApproximately(1.5, 1e-12);
        BestPeer.MedianRatio([3.0], [2.0]).Should().BeApproximately(1.5, 1e-12);
        FluentActions.Invoking(() => BestPeer.MedianRatio([1.0, 2.0], [1.0])).Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => BestPeer.MedianRatio([], [])).Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => BestPeer.MedianRatio([1.0], [0.0])).Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void Allocator_settings_are_parsed_by_name_in_order()
    {
        string jemalloc = typeof(PeersTests).Assembly.Location; // any existing file stands for the library
        var s = MallocSetting.Parse(["jemalloc", "default_malloc", "glibc_tuned"], jemalloc);
        s.Select(m => m.Name).Should().Equal("jemalloc", "default_malloc", "glibc_tuned");
        s[0].Environment.Should().Equal(new Dictionary<string, string> { ["LD_PRELOAD"] = jemalloc });
        s[2].Environment.Should().Equal(new Dictionary<string, string>
        {
            ["MALLOC_MMAP_MAX_"] = "0", ["MALLOC_TRIM_THRESHOLD_"] = "68719476736", ["MALLOC_TOP_PAD_"] = "268435456",
        });
    }

    [Theory]
    [InlineData("tcmalloc", "--mallocs: got tcmalloc; expected default_malloc, glibc_tuned, jemalloc.")]
    [InlineData("jemalloc", "apt install libjemalloc2")]
    public void A_bad_allocator_setting_is_named(string name, string expected)
    {
        var act = () => MallocSetting.Parse([name], "/no/such/libjemalloc.so.2");
        act.Should().Throw<ArgumentException>().WithMessage($"*{expected}*");
    }

    [Fact]
    public void A_setting_unsets_the_others_variables_in_the_child()
    {
        var psi = new ProcessStartInfo("true");
        psi.Environment["LD_PRELOAD"] = "/some/lib.so";
        psi.Environment["MALLOC_TOP_PAD_"] = "1";
        MallocSetting.Default.Apply(psi);
        psi.Environment.Keys.Should().NotContain(MallocSetting.Cleared);
        MallocSetting.GlibcTuned.Apply(psi);
        psi.Environment["MALLOC_MMAP_MAX_"].Should().Be("0");
        psi.Environment.Keys.Should().NotContain("LD_PRELOAD");
    }

    [Fact]
    public void Peers_are_parsed_by_name()
    {
        ModelPeers.Parse(["pytorch"], "/usr/bin/python3").Should().ContainSingle().Which.Name.Should().Be("pytorch");
        ModelPeers.Parse(ModelPeers.Names, "/usr/bin/python3").Select(p => (p.Name, p.DefaultMalloc.Name)).Should().Equal(
            ("pytorch", "default_malloc"), ("libtorch", "glibc_tuned"));
        new ModelBenchSettings().PeerList().Select(p => p.Name).Should().Equal("pytorch", "libtorch"); // both by default
        var act = () => ModelPeers.Parse(["tensorflow"], "/usr/bin/python3");
        act.Should().Throw<ArgumentException>().WithMessage("--peers: got tensorflow; expected pytorch, libtorch.");
        act = () => ModelPeers.Parse([], "/usr/bin/python3");
        act.Should().Throw<ArgumentException>().WithMessage("--peers: name at least one*");
    }

    [Fact]
    public void Libtorchs_allocator_settings_are_the_backends_tuning_on_or_off()
    {
        var jemalloc = MallocSetting.Jemalloc("/x/libjemalloc.so.2");
        // glibc_tuned: the backend's own mallopt, with the frame's MALLOC_* variables unset so that it applies it.
        LibtorchPeer.TunesAllocator(MallocSetting.GlibcTuned).Should().BeTrue();
        LibtorchPeer.ProcessEnvironment(MallocSetting.GlibcTuned).Should().BeSameAs(MallocSetting.Default);
        // default_malloc and jemalloc: the backend leaves malloc alone, the environment is the frame's.
        LibtorchPeer.TunesAllocator(MallocSetting.Default).Should().BeFalse();
        LibtorchPeer.ProcessEnvironment(MallocSetting.Default).Should().BeSameAs(MallocSetting.Default);
        LibtorchPeer.TunesAllocator(jemalloc).Should().BeFalse();
        LibtorchPeer.ProcessEnvironment(jemalloc).Should().BeSameAs(jemalloc);
        IModelPeer peer = new LibtorchPeer();
        peer.DescribeMalloc(MallocSetting.GlibcTuned).Should().Contain("TuneAllocator = true");
        peer.DescribeMalloc(jemalloc).Should().Contain("LD_PRELOAD=/x/libjemalloc.so.2").And.Contain("TuneAllocator = false");
        IModelPeer pytorch = new PyTorchPeer();
        pytorch.DescribeMalloc(MallocSetting.GlibcTuned).Should().Be(MallocSetting.GlibcTuned.Description);
    }

    [Fact]
    public void The_libtorch_peer_runs_under_each_allocator_setting_as_mapped()
    {
        var m = new BenchModel("oct-cifar-resnet", 20, 0.5, 16, 4);
        var settings = new List<MallocSetting> { MallocSetting.Default, MallocSetting.GlibcTuned };
        if (File.Exists(MallocSetting.DebianJemalloc)) settings.Add(MallocSetting.Jemalloc());
        var peer = new LibtorchPeer();
        foreach (var malloc in settings)
        {
            var run = peer.Run(m, malloc, threads: 1, steps: 1, warmup: 0); // the peer also checks the child's own account of its malloc
            (run.Peer, run.Malloc).Should().Be(("libtorch", malloc));
            run.Version.Should().StartWith("2.10");
            run.Details.Contains("glibc malloc tuned").Should().Be(malloc == MallocSetting.GlibcTuned, run.Details);
            (run.TrainStepSeconds, run.InferStepSeconds, run.PeakRssMb).Should().Match<(double, double, double)>(t => t.Item1 > 0 && t.Item2 > 0 && t.Item3 > 0);
            run.TrainCpuSeconds.Should().BePositive();
            run.TrainMinorFaults.Should().NotBeNull();
        }
    }

    [Fact]
    public void The_libtorch_childs_backend_line_gives_version_and_details()
    {
        LibtorchPeer.Description("train_step_s 1\nbackend libtorch 2.10.0.0 on cpu, 2 threads, OpenMP wait PASSIVE, glibc malloc tuned\n")
            .Should().Be(("2.10.0.0", "on cpu, 2 threads, OpenMP wait PASSIVE, glibc malloc tuned"));
        LibtorchPeer.Description("train_step_s 1\n").Should().Be(("", ""));
        new PeerRun("libtorch", MallocSetting.GlibcTuned, "2.10.0.0", 1, 1, 1, Details: "on cpu").Title.Should().Be("libtorch 2.10.0.0 (on cpu) with glibc_tuned");
        new PeerRun("pytorch", MallocSetting.Default, "1.13.0a0", 1, 1, 1).Title.Should().Be("pytorch 1.13.0a0 with default_malloc");
    }

    [Fact]
    public void Cpu_time_and_page_faults_of_this_process_are_counted()
    {
        var total = default(ProcessCounters);
        long sum = 0;
        ProcessCounters.Count(() => { for (int i = 0; i < 20_000_000; i++) sum += i ^ (sum >> 3); }, ref total);
        ProcessCounters.Count(() => { var a = new byte[64 << 20]; for (int i = 0; i < a.Length; i += 4096) a[i] = 1; GC.KeepAlive(a); }, ref total);
        total.CpuSeconds.Should().BePositive();
        if (OperatingSystem.IsLinux()) total.MinorFaults.Should().BePositive(); // fresh pages touched (fewer faults than pages with huge pages)
        sum.Should().NotBe(0);
    }

    [Fact]
    public void The_peers_version_line_is_read()
    {
        PyTorchPeer.Version("torch_version 1.13.0a0\ntrain_step_s 1\n").Should().Be("1.13.0a0");
        PyTorchPeer.Version("train_step_s 1\n").Should().BeEmpty();
    }
}
