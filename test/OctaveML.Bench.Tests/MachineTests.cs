using OctaveML.Bench;

namespace OctaveML.Bench.Tests;

public class MachineTests
{
    private const string Zen3 = """
        processor	: 0
        vendor_id	: AuthenticAMD
        cpu family	: 25
        model		: 1
        model name	: AMD EPYC 7B13
        flags		: fpu vme sse sse2 avx fma avx2 bmi2

        processor	: 1
        model name	: something else
        flags		: avx512f
        """;

    private const string Zen5 = """
        processor	: 0
        cpu family	: 26
        model		: 2
        model name	: AMD EPYC 9B45
        flags		: fpu avx fma avx2 avx512f avx512bw avx512_bf16
        """;

    [Fact]
    public void The_first_processor_of_cpuinfo_gives_model_family_and_vector_flags()
    {
        var m = Machine.Parse(Zen3.Replace("\r", ""));
        m.Should().Be(new Machine("AMD EPYC 7B13", 25, 1, HasAvx512F: false, HasAvx2Fma: true));
        m.CpuVectorBits.Should().Be(256);
        Machine.Parse(Zen5).Should().Be(new Machine("AMD EPYC 9B45", 26, 2, HasAvx512F: true, HasAvx2Fma: true));
        Machine.Parse(Zen5).CpuVectorBits.Should().Be(512);
    }

    [Fact]
    public void An_empty_cpuinfo_is_an_unknown_machine_with_portable_vectors()
    {
        var m = Machine.Parse("");
        m.Should().Be(new Machine("unknown", null, null, false, false));
        m.CpuVectorBits.Should().Be(128);
        m.Describe(2).Should().Be("unknown (cpu family ?, model ?; no avx2), 2 processors");
    }

    [Fact]
    public void A_gemm_narrower_than_the_cpu_is_warned_about()
    {
        var zen5 = Machine.Parse(Zen5);
        zen5.WidthWarning(512).Should().BeNull();
        zen5.WidthWarning(256).Should().StartWith("warning: the CPU has 512-bit vectors but the GEMM picked 256-bit ones");
        Machine.Parse(Zen3).WidthWarning(256).Should().BeNull();
    }

    [Fact]
    public void The_description_names_model_family_and_flags()
    {
        Machine.Parse(Zen3).Describe(2).Should().Be("AMD EPYC 7B13 (cpu family 25, model 1; avx2 fma, no avx512f), 2 processors");
        Machine.Parse(Zen5).Describe(2).Should().Be("AMD EPYC 9B45 (cpu family 26, model 2; avx512f), 2 processors");
    }

    [Fact]
    public void This_machines_gemm_uses_the_widest_vectors_its_cpu_has()
    {
        // The bench's promise on a Zen 5: the Vector512 kernels are the ones chosen.
        Machine.GemmVectorBits.Should().Be(Machine.Current.CpuVectorBits);
    }

    [Fact]
    public void Cpu_jiffies_count_user_nice_system_irq_and_softirq_as_busy()
    {
        Machine.CpuJiffies("cpu  100 5 20 700 30 1 2 9 0 0\ncpu0 50 2 10 350 15 0 1 4 0 0\n").Should().Be((128L, 858L));
        Machine.CpuJiffies("intr 1 2 3").Should().BeNull();
        Machine.CpuJiffies("cpu 1 2 x 4 5 6 7").Should().BeNull();
    }

    [Fact]
    public void Others_busy_is_a_share_of_the_processors_on_linux()
    {
        var busy = Machine.OthersBusyProcessors(TimeSpan.FromMilliseconds(100));
        if (!OperatingSystem.IsLinux()) { busy.Should().BeNull(); return; }
        busy.Should().NotBeNull().And.BeInRange(0, Environment.ProcessorCount);
    }
}
