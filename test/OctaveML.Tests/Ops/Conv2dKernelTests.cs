using OctaveML.Ops;
using OctaveML.Tensors;
using OctaveML.Tests.Infrastructure;
using OctaveML.Threading;

namespace OctaveML.Tests.Ops;

/// <summary>Conv2dKernel against PyTorch golden data, finite differences and its own contracts.</summary>
[Collection("Parallelism")]
public class Conv2dTests
{
    private const string File = "conv2d";

    public static TheoryData<string> Cases()
    {
        var d = new TheoryData<string>();
        foreach (var c in Golden.Cases(File)) d.Add(c);
        return d;
    }

    private static (ConvGeometry G, bool Bias) Params(string name)
    {
        var p = Golden.Load(File)[name + "/params"].Data.Select(v => (int)v).ToArray();
        var g = new ConvGeometry(p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8], p[9], p[10]);
        return (g, p[11] != 0);
    }

    private static Tensor T(string name, string key) => Golden.Load(File)[name + "/" + key];

    [Fact]
    public void Golden_file_covers_the_required_shapes()
    {
        var gs = Golden.Cases(File).Select(c => Params(c).G).ToList();
        gs.Should().Contain(g => g.IsPointwise);
        gs.Should().Contain(g => g.KernelH == 7 && g.Stride == 2 && g.Padding == 3);
        gs.Should().Contain(g => g.Dilation == 2 && !g.IsDepthwise);
        gs.Should().Contain(g => g.Groups == 2 && !g.IsDepthwise);
        gs.Should().Contain(g => g.IsDepthwise && g.KernelH == 3 && g.Stride == 1);
        gs.Should().Contain(g => g.IsDepthwise && g.KernelH == 3 && g.Stride == 2);
        gs.Should().Contain(g => g.IsDepthwise && g.OutChannels == 2 * g.InChannels);
        gs.Should().Contain(g => g.Height == 7 && g.Width == 9);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Forward_matches_PyTorch(string name)
    {
        var (g, hasBias) = Params(name);
        var y = new float[g.OutputLength];
        y.AsSpan().Fill(float.NaN); // overwritten, never read
        Conv2dKernel.Forward(g, T(name, "x").Data, T(name, "w").Data, hasBias ? T(name, "b").Data : default, y);
        Close.Assert(y, T(name, "y").Data, $"{name} y");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Backward_input_matches_PyTorch(string name)
    {
        var (g, _) = Params(name);
        var dx = new float[g.InputLength];
        dx.AsSpan().Fill(float.NaN);
        Conv2dKernel.BackwardInput(g, T(name, "dy").Data, T(name, "w").Data, dx);
        Close.Assert(dx, T(name, "grad_x").Data, $"{name} grad_x");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Backward_weight_matches_PyTorch(string name)
    {
        var (g, hasBias) = Params(name);
        var dw = new float[g.WeightLength];
        var db = hasBias ? new float[g.OutChannels] : [];
        Conv2dKernel.BackwardWeight(g, T(name, "x").Data, T(name, "dy").Data, dw, db);
        Close.Assert(dw, T(name, "grad_w").Data, $"{name} grad_w");
        if (hasBias) Close.Assert(db, T(name, "grad_b").Data, $"{name} grad_b");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Accumulate_adds_to_existing_values(string name)
    {
        var (g, hasBias) = Params(name);
        var rng = new Random(7);
        float[] prior(long n) => Enumerable.Range(0, (int)n).Select(_ => (float)rng.NextDouble() - 0.5f).ToArray();

        var y0 = prior(g.OutputLength);
        var y = (float[])y0.Clone();
        Conv2dKernel.Forward(g, T(name, "x").Data, T(name, "w").Data, hasBias ? T(name, "b").Data : default, y, accumulate: true);
        Close.Assert(y, y0.Zip(T(name, "y").Data, (a, b) => a + b).ToArray(), $"{name} y += ");

        var dx0 = prior(g.InputLength);
        var dx = (float[])dx0.Clone();
        Conv2dKernel.BackwardInput(g, T(name, "dy").Data, T(name, "w").Data, dx, accumulate: true);
        Close.Assert(dx, dx0.Zip(T(name, "grad_x").Data, (a, b) => a + b).ToArray(), $"{name} grad_x += ");

        var dw0 = prior(g.WeightLength);
        var dw = (float[])dw0.Clone();
        var db0 = prior(hasBias ? g.OutChannels : 0);
        var db = (float[])db0.Clone();
        Conv2dKernel.BackwardWeight(g, T(name, "x").Data, T(name, "dy").Data, dw, db);
        Close.Assert(dw, dw0.Zip(T(name, "grad_w").Data, (a, b) => a + b).ToArray(), $"{name} grad_w += ");
        if (hasBias) Close.Assert(db, db0.Zip(T(name, "grad_b").Data, (a, b) => a + b).ToArray(), $"{name} grad_b += ");
    }

    public static TheoryData<ConvGeometry> FiniteDifferenceShapes() => new()
    {
        new ConvGeometry(2, 3, 6, 5, 4, 3, 3, Stride: 1, Padding: 1),
        new ConvGeometry(2, 4, 7, 6, 4, 3, 3, Stride: 2, Padding: 1, Groups: 2),
        new ConvGeometry(1, 3, 7, 7, 3, 3, 3, Stride: 2, Padding: 1, Groups: 3),          // depthwise s2
        new ConvGeometry(2, 2, 6, 6, 4, 3, 3, Stride: 1, Padding: 2, Dilation: 2, Groups: 2), // depthwise x2, dilated
        new ConvGeometry(2, 4, 5, 5, 3, 1, 1),                                              // pointwise
        new ConvGeometry(1, 2, 9, 8, 2, 7, 7, Stride: 2, Padding: 3),                       // stem-like
    };

    /// <summary>
    /// L = sum(r * conv(x, w) + r * b) is linear in x, w and b separately, so central differences are
    /// exact up to rounding; the loss is summed in double to keep that rounding small.
    /// </summary>
    [Theory]
    [MemberData(nameof(FiniteDifferenceShapes))]
    public void Gradients_match_finite_differences(ConvGeometry g)
    {
        var rng = new Random(g.GetHashCode() & 0xffff);
        float[] rand(long n) => Enumerable.Range(0, (int)n).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
        var x = rand(g.InputLength); var w = rand(g.WeightLength); var b = rand(g.OutChannels); var r = rand(g.OutputLength);
        var y = new float[g.OutputLength];
        double Loss()
        {
            Conv2dKernel.Forward(g, x, w, b, y);
            double s = 0;
            for (int i = 0; i < y.Length; i++) s += (double)r[i] * y[i];
            return s;
        }
        var dx = new float[x.Length]; var dw = new float[w.Length]; var db = new float[b.Length];
        Conv2dKernel.BackwardInput(g, r, w, dx);
        Conv2dKernel.BackwardWeight(g, x, r, dw, db);

        const float eps = 0.25f;
        void Check(float[] p, float[] grad, string what)
        {
            for (int i = 0; i < p.Length; i += Math.Max(1, p.Length / 40))
            {
                float keep = p[i];
                p[i] = keep + eps; double up = Loss();
                p[i] = keep - eps; double down = Loss();
                p[i] = keep;
                double fd = (up - down) / (2 * eps);
                Math.Abs(fd - grad[i]).Should().BeLessThan(1e-3 * Math.Max(1, Math.Abs(fd)), $"{what}[{i}] of {g}");
            }
        }
        Check(x, dx, "dx");
        Check(w, dw, "dw");
        Check(b, db, "db");
    }

    public static TheoryData<ConvGeometry> ReferenceShapes() => new()
    {
        new ConvGeometry(3, 5, 20, 20, 6, 3, 3, Stride: 1, Padding: 1),            // small planes: images batched, last step partial
        new ConvGeometry(2, 4, 34, 33, 6, 3, 3, Stride: 1, Padding: 1, Groups: 2), // large planes: per image, tiled
        new ConvGeometry(3, 8, 20, 20, 8, 1, 1),                                  // pointwise, batched
        new ConvGeometry(2, 8, 33, 33, 8, 1, 1),                                  // pointwise, per image
        new ConvGeometry(2, 3, 70, 66, 4, 5, 5, Stride: 2, Padding: 2),           // several column tiles per image
        new ConvGeometry(7, 3, 40, 40, 8, 7, 7, Stride: 2, Padding: 3),           // stem: dw summed in 4 batch parts (2, 2, 1, 2 images)
        new ConvGeometry(3, 6, 14, 14, 6, 3, 3, Stride: 1, Padding: 1, Groups: 6),            // depthwise, flat over 16-wide padded rows
        new ConvGeometry(2, 5, 7, 7, 10, 3, 3, Stride: 1, Padding: 1, Groups: 5),             // depthwise x2 on 7 px maps
        new ConvGeometry(2, 4, 9, 11, 4, 3, 3, Stride: 1, Padding: 0, Groups: 4),             // depthwise, no padding
        new ConvGeometry(2, 3, 13, 10, 3, 5, 5, Stride: 1, Padding: 4, Dilation: 2, Groups: 3), // depthwise 5x5 dilated
    };

    /// <summary>Larger shapes than the golden file (other tiling and batching paths) against a direct double-precision convolution.</summary>
    [Theory]
    [MemberData(nameof(ReferenceShapes))]
    public void Matches_direct_convolution_on_larger_shapes(ConvGeometry g)
    {
        var rng = new Random(11);
        float[] rand(long n) => Enumerable.Range(0, (int)n).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
        var x = rand(g.InputLength); var w = rand(g.WeightLength); var b = rand(g.OutChannels); var dy = rand(g.OutputLength);
        int OH = g.OutHeight, OW = g.OutWidth, cinG = g.InChannelsPerGroup, coutG = g.OutChannelsPerGroup;
        var yRef = new double[g.OutputLength]; var dxRef = new double[g.InputLength]; var dwRef = new double[g.WeightLength];
        for (int n = 0; n < g.Batch; n++)
            for (int oc = 0; oc < g.OutChannels; oc++)
                for (int oh = 0; oh < OH; oh++)
                    for (int ow = 0; ow < OW; ow++)
                    {
                        int yi = ((n * g.OutChannels + oc) * OH + oh) * OW + ow;
                        double acc = b[oc];
                        for (int ci = 0; ci < cinG; ci++)
                            for (int kh = 0; kh < g.KernelH; kh++)
                                for (int kw = 0; kw < g.KernelW; kw++)
                                {
                                    int ih = oh * g.Stride - g.Padding + kh * g.Dilation, iw = ow * g.Stride - g.Padding + kw * g.Dilation;
                                    if (ih < 0 || ih >= g.Height || iw < 0 || iw >= g.Width) continue;
                                    int c = oc / coutG * cinG + ci;
                                    int xi = ((n * g.InChannels + c) * g.Height + ih) * g.Width + iw;
                                    int wi = ((oc * cinG + ci) * g.KernelH + kh) * g.KernelW + kw;
                                    acc += (double)x[xi] * w[wi];
                                    dxRef[xi] += (double)dy[yi] * w[wi];
                                    dwRef[wi] += (double)dy[yi] * x[xi];
                                }
                        yRef[yi] = acc;
                    }
        var y = new float[g.OutputLength]; var dx = new float[g.InputLength]; var dw = new float[g.WeightLength];
        Conv2dKernel.Forward(g, x, w, b, y);
        Conv2dKernel.BackwardInput(g, dy, w, dx);
        Conv2dKernel.BackwardWeight(g, x, dy, dw, default);
        static float[] F(double[] d) => d.Select(v => (float)v).ToArray();
        Close.Assert(y, F(yRef), $"y of {g}");
        Close.Assert(dx, F(dxRef), $"dx of {g}");
        Close.Assert(dw, F(dwRef), $"dw of {g}", rtol: 1e-4f, atol: 1e-4f);
    }

    public static TheoryData<ConvGeometry> ThreadShapes() => new()
    {
        new ConvGeometry(3, 16, 20, 18, 24, 3, 3, Stride: 1, Padding: 1),
        new ConvGeometry(2, 40, 15, 15, 32, 1, 1),
        new ConvGeometry(2, 12, 17, 16, 12, 3, 3, Stride: 2, Padding: 1, Groups: 12),
        new ConvGeometry(1, 8, 33, 31, 8, 5, 5, Stride: 1, Padding: 2, Groups: 2),
        new ConvGeometry(1, 3, 64, 64, 16, 7, 7, Stride: 2, Padding: 3),
        new ConvGeometry(6, 3, 48, 48, 16, 7, 7, Stride: 2, Padding: 3),       // dw in batch parts
    };

    [Theory]
    [MemberData(nameof(ThreadShapes))]
    public void One_and_two_threads_give_bit_identical_results(ConvGeometry g)
    {
        var rng = new Random(3);
        float[] rand(long n) => Enumerable.Range(0, (int)n).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
        var x = rand(g.InputLength); var w = rand(g.WeightLength); var b = rand(g.OutChannels); var dy = rand(g.OutputLength);
        (float[] y, float[] dx, float[] dw, float[] db) Run(int threads)
        {
            int keep = Parallelism.Threads;
            Parallelism.Threads = threads;
            try
            {
                var y = new float[g.OutputLength]; var dx = new float[x.Length]; var dw = new float[w.Length]; var db = new float[b.Length];
                Conv2dKernel.Forward(g, x, w, b, y);
                Conv2dKernel.BackwardInput(g, dy, w, dx);
                Conv2dKernel.BackwardWeight(g, x, dy, dw, db);
                return (y, dx, dw, db);
            }
            finally { Parallelism.Threads = keep; }
        }
        var one = Run(1);
        var two = Run(2);
        var again = Run(2);
        two.y.Should().Equal(one.y); two.dx.Should().Equal(one.dx); two.dw.Should().Equal(one.dw); two.db.Should().Equal(one.db);
        again.y.Should().Equal(two.y); again.dx.Should().Equal(two.dx); again.dw.Should().Equal(two.dw); again.db.Should().Equal(two.db);
    }

    [Theory]
    [InlineData(0, 3, 8, 8, 4, 3, 3, 1, 0, 1, 1, "Batch")]
    [InlineData(1, 3, 8, 8, 4, 3, 3, 0, 0, 1, 1, "Stride")]
    [InlineData(1, 3, 8, 8, 4, 3, 3, 1, -1, 1, 1, "Padding")]
    [InlineData(1, 3, 8, 8, 4, 3, 3, 1, 0, 0, 1, "Dilation")]
    [InlineData(1, 3, 8, 8, 4, 3, 3, 1, 0, 1, 2, "InChannels")]
    [InlineData(1, 4, 8, 8, 3, 3, 3, 1, 0, 1, 2, "OutChannels")]
    [InlineData(1, 3, 2, 8, 4, 3, 3, 1, 0, 1, 1, "KernelH")]
    [InlineData(1, 3, 8, 4, 4, 3, 3, 1, 0, 3, 1, "KernelW")]
    [InlineData(1, 3, 8, 8, 0, 3, 3, 1, 0, 1, 1, "OutChannels")]
    public void Bad_geometry_throws_naming_the_field(int n, int cin, int h, int w, int cout, int kh, int kw, int s, int p, int d, int groups, string field)
    {
        var g = new ConvGeometry(n, cin, h, w, cout, kh, kw, s, p, d, groups);
        var act = () => g.Validate();
        act.Should().Throw<ArgumentException>().Where(e => e.ParamName == field && e.Message.Contains(field));
        var fwd = () => Conv2dKernel.Forward(g, new float[1], new float[1], default, new float[1]);
        fwd.Should().Throw<ArgumentException>().Where(e => e.ParamName == field);
    }

    [Fact]
    public void Output_size_follows_PyTorch()
    {
        var g = new ConvGeometry(1, 3, 224, 224, 64, 7, 7, Stride: 2, Padding: 3);
        (g.OutHeight, g.OutWidth).Should().Be((112, 112));
        g = new ConvGeometry(1, 3, 7, 9, 4, 3, 3, Stride: 2, Padding: 1, Dilation: 2);
        (g.OutHeight, g.OutWidth).Should().Be((3, 4));
    }

    [Fact]
    public void Wrong_span_lengths_throw_naming_the_span()
    {
        var g = new ConvGeometry(2, 4, 5, 5, 6, 3, 3, Padding: 1, Groups: 2);
        float[] x = new float[g.InputLength], w = new float[g.WeightLength], y = new float[g.OutputLength], b = new float[6];
        void Throws(Action a, string name) =>
            a.Should().Throw<ArgumentException>().Where(e => e.ParamName == name && e.Message.Contains(name));
        Throws(() => Conv2dKernel.Forward(g, x.AsSpan(1), w, b, y), "x");
        Throws(() => Conv2dKernel.Forward(g, x, w.AsSpan(1), b, y), "w");
        Throws(() => Conv2dKernel.Forward(g, x, w, b.AsSpan(1), y), "bias");
        Throws(() => Conv2dKernel.Forward(g, x, w, b, new float[y.Length + 1]), "y");
        Throws(() => Conv2dKernel.BackwardInput(g, y.AsSpan(1), w, x), "dy");
        Throws(() => Conv2dKernel.BackwardInput(g, y, new float[w.Length + 1], x), "w");
        Throws(() => Conv2dKernel.BackwardInput(g, y, w, x.AsSpan(1)), "dx");
        Throws(() => Conv2dKernel.BackwardWeight(g, x.AsSpan(1), y, w, b), "x");
        Throws(() => Conv2dKernel.BackwardWeight(g, x, y.AsSpan(1), w, b), "dy");
        Throws(() => Conv2dKernel.BackwardWeight(g, x, y, w.AsSpan(1), b), "dw");
        Throws(() => Conv2dKernel.BackwardWeight(g, x, y, w, b.AsSpan(1)), "dbias");
    }
}
