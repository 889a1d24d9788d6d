using OctaveML.Tensors;

namespace OctaveML.Tests.Tensors;

public class RngTests
{
    [Fact]
    public void Seed_0_matches_the_xoshiro256_star_star_reference_sequence()
    {
        // SplitMix64(0) seeds the state; values from an independent Python implementation of the reference C code.
        var rng = new Rng(0);
        rng.State.Should().Be(new RngState(0xe220a8397b1dcdafUL, 0x6e789e6aa1b965f4UL, 0x06c45d188009454fUL, 0xf88bb8a8724c81ecUL));
        rng.NextUInt64().Should().Be(0x99ec5f36cb75f2b4UL);
        rng.NextUInt64().Should().Be(0xbf6e1f784956452aUL);
        rng.NextUInt64().Should().Be(0x1a5f849d4933e6e0UL);
    }

    [Fact]
    public void State_round_trips_through_text_and_continues_the_sequence()
    {
        var a = new Rng(12345);
        for (int i = 0; i < 17; i++) a.NextUInt64();
        var b = new Rng(RngState.Parse(a.State.ToString()));
        for (int i = 0; i < 100; i++) b.NextUInt64().Should().Be(a.NextUInt64());
        FluentActions.Invoking(() => RngState.Parse("xyz")).Should().Throw<FormatException>();
        FluentActions.Invoking(() => new Rng(new RngState(0, 0, 0, 0))).Should().Throw<ArgumentException>();
    }

    [Fact]
    public void Derive_is_a_pure_function_of_its_keys()
    {
        Rng.Derive(7, 1, 2).NextUInt64().Should().Be(Rng.Derive(7, 1, 2).NextUInt64());
        Rng.Derive(7, 1, 2).NextUInt64().Should().NotBe(Rng.Derive(7, 2, 1).NextUInt64());
        Rng.Derive(7, 1).NextUInt64().Should().NotBe(Rng.Derive(8, 1).NextUInt64());
    }

    [Fact]
    public void Distributions_have_the_right_range_and_moments()
    {
        var rng = new Rng(3);
        var counts = new int[7];
        double sum = 0, sumSq = 0;
        const int n = 70_000;
        for (int i = 0; i < n; i++)
        {
            counts[rng.NextInt(7)]++;
            float u = rng.NextSingle();
            u.Should().BeInRange(0f, 0.99999994f);
            double g = rng.NextGaussian();
            sum += g; sumSq += g * g;
        }
        foreach (int c in counts) c.Should().BeInRange(9_500, 10_500);
        (sum / n).Should().BeApproximately(0, 0.02);
        (sumSq / n).Should().BeApproximately(1, 0.03);
        var p = rng.Permutation(50);
        p.Order().Should().Equal(Enumerable.Range(0, 50));
        p.Should().NotEqual(Enumerable.Range(0, 50));
    }

    [Fact]
    public void AsRandom_draws_from_the_same_sequence_so_layer_init_is_fully_specified()
    {
        var a = new Rng(21);
        var b = new Rng(21);
        var viaRandom = OctaveML.Nn.Init.Uniform(a.AsRandom(), 0.5f, 3, 4);
        for (int i = 0; i < 12; i++)
            viaRandom.Data[i].Should().Be((float)(b.NextDouble() * 2 - 1) * 0.5f);
        a.State.Should().Be(b.State, "the view shares the generator's state");
        var r = new Rng(1).AsRandom();
        for (int i = 0; i < 1000; i++)
        {
            r.Next(5).Should().BeInRange(0, 4);
            r.Next(-3, 3).Should().BeInRange(-3, 2);
            r.NextInt64(10, 20).Should().BeInRange(10, 19);
        }
    }
}
