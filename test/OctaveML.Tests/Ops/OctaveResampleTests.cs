using OctaveML.Ops;
using OctaveML.Tensors;
using OctaveML.Tests.Infrastructure;
using static OctaveML.Ops.OctaveResample;

namespace OctaveML.Tests.Ops;

/// <summary>
/// The vectorised pooling and upsampling loops give the bits of plain scalar loops, at every instruction-set
/// level the machine runs, for odd and even sizes that exercise every vector width and tail.
/// </summary>
public class OctaveResampleTests
{
    /// <summary>Instruction-set levels as their vector widths (0 = scalar), those this machine runs.</summary>
    public static TheoryData<int> Levels()
    {
        var data = new TheoryData<int>();
        foreach (Simd level in Runnable()) data.Add((int)level);
        return data;
    }

    private static IEnumerable<Simd> Runnable() => new[] { Simd.Scalar, Simd.Avx2, Simd.Avx512 }.Where(level => level <= Best);

    /// <summary>Values whose sums round differently in a different order, with exact zeros and negative zeros mixed in.</summary>
    private static float[] Data(Random rng, int length)
    {
        var a = new float[length];
        for (int i = 0; i < length; i++)
            a[i] = rng.Next(8) switch
            {
                0 => 0f,
                1 => -0f,
                2 => (float)(rng.NextDouble() * 2e7 - 1e7),
                _ => (float)(rng.NextDouble() * 2 - 1) * MathF.Pow(2, rng.Next(-20, 5)),
            };
        return a;
    }

    private static void SameBits(float[] actual, float[] expected, string what)
    {
        actual.Length.Should().Be(expected.Length);
        for (int i = 0; i < actual.Length; i++)
            if (BitConverter.SingleToInt32Bits(actual[i]) != BitConverter.SingleToInt32Bits(expected[i]))
                Assert.Fail($"{what}: element {i} is {actual[i]:R}, expected {expected[i]:R}");
    }

    private static IEnumerable<(int H, int W)> Sizes()
    {
        for (int h = 1; h <= 40; h++)
            for (int w = 1; w <= 40; w++)
                yield return (h, w);
    }

    [Theory]
    [MemberData(nameof(Levels))]
    public void Pool_matches_the_scalar_loop(int bits)
    {
        var level = (Simd)bits;
        var rng = new Random(1);
        foreach (var (h, w) in Sizes())
        {
            int channels = 1 + (h + w) % 3, ho = (h + 1) / 2, wo = (w + 1) / 2;
            float[] x = Data(rng, channels * h * w);
            float[] y = Data(rng, channels * ho * wo + 5), expected = (float[])y.Clone();
            RefPool(x, channels, h, w, expected);
            Pool(x, channels, h, w, y, level);
            SameBits(y, expected, $"pool {level} {channels}x{h}x{w}");
        }
    }

    [Theory]
    [MemberData(nameof(Levels))]
    public void PoolBackwardAdd_matches_the_scalar_loop(int bits)
    {
        var level = (Simd)bits;
        var rng = new Random(2);
        foreach (var (h, w) in Sizes())
        {
            int channels = 1 + (h * w) % 3, ho = (h + 1) / 2, wo = (w + 1) / 2;
            float[] dy = Data(rng, channels * ho * wo);
            float[] dx = Data(rng, channels * h * w + 5), expected = (float[])dx.Clone();
            RefPoolBackwardAdd(dy, channels, h, w, expected);
            PoolBackwardAdd(dy, channels, h, w, dx, level);
            SameBits(dx, expected, $"pool backward {level} {channels}x{h}x{w}");
        }
    }

    /// <summary>z covers h x w exactly, or has a spare row and column; z's planes are packed or further apart.</summary>
    [Theory]
    [MemberData(nameof(Levels))]
    public void UpsampleAdd_matches_the_scalar_loop(int bits)
    {
        var level = (Simd)bits;
        var rng = new Random(3);
        foreach (var (h, w) in Sizes())
            foreach (int spare in new[] { 0, 1 })
            {
                int channels = 1 + (h + 2 * w) % 3, zh = (h + 1) / 2 + spare, zw = (w + 1) / 2 + spare;
                int zStride = spare == 0 ? 0 : zh * zw + 7, stride = zStride == 0 ? zh * zw : zStride;
                float[] z = Data(rng, (channels - 1) * stride + zh * zw);
                float[] y = Data(rng, channels * h * w + 5), expected = (float[])y.Clone();
                RefUpsampleAdd(z, channels, zh, zw, expected, h, w, zStride);
                UpsampleAdd(z, channels, zh, zw, y, h, w, zStride, level);
                SameBits(y, expected, $"upsample {level} {channels}x{h}x{w} from {zh}x{zw} stride {zStride}");
            }
    }

    /// <summary>Besides the covered block sums, the uncovered rows and columns of dz are zeroed and the gaps between planes kept.</summary>
    [Theory]
    [MemberData(nameof(Levels))]
    public void UpsampleBackward_matches_the_scalar_loop(int bits)
    {
        var level = (Simd)bits;
        var rng = new Random(4);
        foreach (var (h, w) in Sizes())
            foreach (int spare in new[] { 0, 1 })
            {
                int channels = 1 + (2 * h + w) % 3, zh = (h + 1) / 2 + spare, zw = (w + 1) / 2 + spare;
                int zStride = spare == 0 ? 0 : zh * zw + 7, stride = zStride == 0 ? zh * zw : zStride;
                float[] dy = Data(rng, channels * h * w);
                float[] dz = Data(rng, (channels - 1) * stride + zh * zw + 5), expected = (float[])dz.Clone();
                RefUpsampleBackward(dy, channels, h, w, expected, zh, zw, zStride);
                UpsampleBackward(dy, channels, h, w, dz, zh, zw, zStride, level);
                SameBits(dz, expected, $"upsample backward {level} {channels}x{h}x{w} to {zh}x{zw} stride {zStride}");
            }
    }

    /// <summary>Planes of the widths OctResNet runs (7 to 112), many channels, at the machine's best level through the public entry points.</summary>
    [Theory]
    [InlineData(64, 56, 56)]
    [InlineData(8, 112, 112)]
    [InlineData(256, 14, 14)]
    [InlineData(32, 7, 7)]
    [InlineData(16, 25, 15)]
    public void Model_sized_planes_match_the_scalar_loops(int channels, int h, int w)
    {
        var rng = new Random(5);
        int ho = (h + 1) / 2, wo = (w + 1) / 2;
        float[] x = Data(rng, channels * h * w), half = Data(rng, channels * ho * wo);

        float[] y = new float[channels * ho * wo], yRef = new float[y.Length];
        Pool(x, channels, h, w, y);
        RefPool(x, channels, h, w, yRef);
        SameBits(y, yRef, "pool");

        float[] dx = Data(rng, x.Length), dxRef = (float[])dx.Clone();
        PoolBackwardAdd(half, channels, h, w, dx);
        RefPoolBackwardAdd(half, channels, h, w, dxRef);
        SameBits(dx, dxRef, "pool backward");

        float[] up = Data(rng, x.Length), upRef = (float[])up.Clone();
        UpsampleAdd(half, channels, ho, wo, up, h, w);
        RefUpsampleAdd(half, channels, ho, wo, upRef, h, w, 0);
        SameBits(up, upRef, "upsample");

        float[] dz = Data(rng, half.Length), dzRef = Data(rng, half.Length);
        UpsampleBackward(x, channels, h, w, dz, ho, wo);
        RefUpsampleBackward(x, channels, h, w, dzRef, ho, wo, 0);
        SameBits(dz, dzRef, "upsample backward");
    }

    private static Dictionary<string, Tensor> G => Golden.Load("ops");

    /// <summary>PyTorch's F.avg_pool2d(x, 2, 2, ceil_mode=True) and its gradient: edge windows average the pixels they cover.</summary>
    [Theory]
    [InlineData("avgpool_8x8")]
    [InlineData("avgpool_7x9")]
    [InlineData("avgpool_5x4")]
    [InlineData("avgpool_1x3")]
    [InlineData("avgpool_3x34")]
    public void Pool_and_its_adjoint_match_PyTorchs_ceil_mode_average_pooling(string name)
    {
        var x = G[$"{name}/x"];
        int channels = x.N * x.C;
        foreach (var level in Runnable())
        {
            var y = new float[G[$"{name}/y"].Length];
            Pool(x.Data, channels, x.H, x.W, y, level);
            Close.Assert(y, G[$"{name}/y"].Data, $"y at {level}");
            var dx = new float[x.Length];
            PoolBackwardAdd(G[$"{name}/dy"].Data, channels, x.H, x.W, dx, level);
            Close.Assert(dx, G[$"{name}/grad_x"].Data, $"grad_x at {level}");
        }
    }

    /// <summary>PyTorch's F.interpolate(z, scale_factor=2, mode='nearest') cropped to the high map, and its gradient.</summary>
    [Theory]
    [InlineData("upsample_4x5_to_8x10")]
    [InlineData("upsample_4x5_to_7x9")]
    [InlineData("upsample_3x20_to_5x39")]
    [InlineData("upsample_2x2_to_3x4")]
    public void Upsampling_and_its_adjoint_match_PyTorchs_cropped_nearest_upsampling(string name)
    {
        var z = G[$"{name}/x"];
        var yRef = G[$"{name}/y"];
        int channels = z.N * z.C;
        foreach (var level in Runnable())
        {
            // UpsampleAdd adds onto the high map, as the octave layer adds l2h onto h2h.
            var y = Enumerable.Repeat(0.5f, yRef.Length).ToArray();
            UpsampleAdd(z.Data, channels, z.H, z.W, y, yRef.H, yRef.W, 0, level);
            Close.Assert(y, yRef.Data.Select(v => v + 0.5f).ToArray(), $"y + 0.5 at {level}");
            var dz = Enumerable.Repeat(float.NaN, z.Length).ToArray(); // every element is written
            UpsampleBackward(G[$"{name}/dy"].Data, channels, yRef.H, yRef.W, dz, z.H, z.W, 0, level);
            Close.Assert(dz, G[$"{name}/grad_x"].Data, $"grad_z at {level}");
        }
    }

    [Fact]
    public void A_z_map_too_small_for_the_output_is_rejected()
    {
        var act = () => UpsampleAdd(new float[4], 1, 2, 2, new float[25], 5, 5);
        act.Should().Throw<ArgumentException>();
    }

    // The scalar loops the vectorised kernels replaced, kept as the reference for their bits.

    private static void RefPool(float[] x, int channels, int h, int w, float[] y)
    {
        int ho = (h + 1) / 2, wo = (w + 1) / 2;
        for (int c = 0; c < channels; c++)
            for (int i = 0; i < ho; i++)
                for (int j = 0; j < wo; j++)
                {
                    int a = c * h * w + 2 * i * w + 2 * j, b = a + w, o = c * ho * wo + i * wo + j;
                    bool down = 2 * i + 1 < h, right = 2 * j + 1 < w;
                    y[o] = (down, right) switch
                    {
                        (true, true) => (x[a] + x[a + 1] + x[b] + x[b + 1]) * 0.25f,
                        (true, false) => (x[a] + x[b]) * 0.5f,
                        (false, true) => (x[a] + x[a + 1]) * 0.5f,
                        _ => x[a],
                    };
                }
    }

    private static void RefPoolBackwardAdd(float[] dy, int channels, int h, int w, float[] dx)
    {
        int ho = (h + 1) / 2, wo = (w + 1) / 2;
        for (int c = 0; c < channels; c++)
            for (int r = 0; r < h; r++)
            {
                int i = r >> 1;
                float rowScale = 2 * i + 1 < h ? 0.5f : 1f;
                for (int col = 0; col < w; col++)
                {
                    int j = col >> 1;
                    float scale = 2 * j + 1 < w ? rowScale * 0.5f : rowScale;
                    dx[c * h * w + r * w + col] += dy[c * ho * wo + i * wo + j] * scale;
                }
            }
    }

    private static void RefUpsampleAdd(float[] z, int channels, int zh, int zw, float[] y, int h, int w, int zStride)
    {
        if (zStride == 0) zStride = zh * zw;
        for (int c = 0; c < channels; c++)
            for (int i = 0; i < h; i++)
                for (int j = 0; j < w; j++)
                    y[c * h * w + i * w + j] += z[c * zStride + (i >> 1) * zw + (j >> 1)];
    }

    private static void RefUpsampleBackward(float[] dy, int channels, int h, int w, float[] dz, int zh, int zw, int zStride)
    {
        if (zStride == 0) zStride = zh * zw;
        for (int c = 0; c < channels; c++)
        {
            Array.Clear(dz, c * zStride, zh * zw);
            for (int i = 0; i < h; i++)
                for (int j = 0; j < w; j += 2)
                {
                    int s = c * h * w + i * w + j;
                    float pair = j + 1 < w ? dy[s] + dy[s + 1] : dy[s];
                    dz[c * zStride + (i >> 1) * zw + (j >> 1)] += pair;
                }
        }
    }
}
