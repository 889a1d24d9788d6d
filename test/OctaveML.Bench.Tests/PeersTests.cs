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
        var act = () => ModelPeers.Parse(["tensorflow"], "/usr/bin/python3");
        act.Should().Throw<ArgumentException>().WithMessage("--peers: got tensorflow; expected pytorch*");
        act = () => ModelPeers.Parse([], "/usr/bin/python3");
        act.Should().Throw<ArgumentException>().WithMessage("--peers: name at least one*");
    }

    [Fact]
    public void The_peers_version_line_is_read()
    {
        PyTorchPeer.Version("torch_version 1.13.0a0\ntrain_step_s 1\n").Should().Be("1.13.0a0");
        PyTorchPeer.Version("train_step_s 1\n").Should().BeEmpty();
    }
}
