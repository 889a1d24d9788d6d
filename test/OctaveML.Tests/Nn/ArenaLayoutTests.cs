using OctaveML.Nn;

namespace OctaveML.Tests.Nn;

public class ArenaLayoutTests
{
    private static List<ArenaLayout.Buffer> RandomBuffers(int seed, int count, int steps, long maxFloats)
    {
        var rng = new Random(seed);
        var buffers = new List<ArenaLayout.Buffer>();
        for (int i = 0; i < count; i++)
        {
            int start = rng.Next(steps), end = start + rng.Next(steps / 4);
            buffers.Add(new ArenaLayout.Buffer(start, end, rng.Next(4) == 0 ? 0 : 1 + (long)(rng.NextDouble() * maxFloats)));
        }
        return buffers;
    }

    [Theory]
    [InlineData(1, 1L << 30)]
    [InlineData(2, 1L << 30)]
    [InlineData(3, 4800)]  // small arrays: buffers must not straddle two
    public void Buffers_alive_together_never_share_memory(int seed, long chunkFloats)
    {
        var buffers = RandomBuffers(seed, 300, 200, 1200);
        var offsets = new long[buffers.Count];
        long size = ArenaLayout.Place(buffers, offsets, chunkFloats);
        for (int i = 0; i < buffers.Count; i++)
        {
            var a = buffers[i];
            if (a.Floats == 0) continue;
            (offsets[i] % ArenaLayout.Align).Should().Be(0);
            (offsets[i] + a.Floats).Should().BeLessThanOrEqualTo(size);
            (offsets[i] / chunkFloats).Should().Be((offsets[i] + a.Floats - 1) / chunkFloats, $"buffer {i} lies in one array");
            for (int j = i + 1; j < buffers.Count; j++)
            {
                var b = buffers[j];
                if (b.Floats == 0 || a.End < b.Start || b.End < a.Start) continue;
                bool apart = offsets[i] + a.Floats <= offsets[j] || offsets[j] + b.Floats <= offsets[i];
                apart.Should().BeTrue($"buffers {i} [{a.Start}, {a.End}] and {j} [{b.Start}, {b.End}] are alive together");
            }
        }
        size.Should().BeGreaterThanOrEqualTo(ArenaLayout.PeakLive(buffers));
    }

    [Fact]
    public void Buffers_that_never_meet_share_the_same_memory()
    {
        List<ArenaLayout.Buffer> buffers = [new(0, 1, 1000), new(2, 3, 1000), new(4, 5, 600), new(1, 2, 16)];
        var offsets = new long[buffers.Count];
        long size = ArenaLayout.Place(buffers, offsets);
        // Each buffer takes its floats rounded up to 16, and one spare cache line (16 floats) after them.
        size.Should().Be(1024 + 32);
        offsets[0].Should().Be(0);
        offsets[1].Should().Be(0);
        offsets[2].Should().Be(0);
        offsets[3].Should().Be(1008 + 16);
        ArenaLayout.PeakLive(buffers).Should().Be(1024 + 32);
    }

    [Fact]
    public void Buffers_of_power_of_two_sizes_do_not_all_start_at_the_same_address_modulo_4_KB()
    {
        // Eight 128 KB buffers alive together: back to back they would all start at 0 modulo 4 KB (1024 floats).
        var buffers = Enumerable.Range(0, 8).Select(_ => new ArenaLayout.Buffer(0, 1, 32 * 1024)).ToList();
        var offsets = new long[buffers.Count];
        ArenaLayout.Place(buffers, offsets);
        offsets.Select(o => o % 1024).Distinct().Should().HaveCount(8);
    }
}
