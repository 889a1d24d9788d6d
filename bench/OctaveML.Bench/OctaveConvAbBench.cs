using System.Diagnostics;
using OctaveML.Ops;
using OctaveML.Threading;

namespace OctaveML.Bench;

/// <summary>
/// The <c>octconv-ab</c> suite: one octave convolution's forward and backward with column tiling on and off,
/// alternating in one process (so both see the same load on a shared machine), medians and their ratio.
/// Usage: <c>octconv-ab HIGH_IN LOW_IN HIGH_OUT LOW_OUT SIZE [KERNEL] [STRIDE] [BATCH] [ROUNDS]</c>
/// (defaults 3, 1, 16, 15; the OctResNet-50 stage-1 3x3 layer is <c>octconv-ab 32 32 32 32 56</c>).
/// </summary>
public static class OctaveConvAbBench
{
    public const string Name = "octconv-ab";

    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        int[] v = new int[9];
        int[] defaults = [0, 0, 0, 0, 0, 3, 1, 16, 15];
        if (args.Length < 5 || args.Length > 9)
        {
            error.WriteLine("usage: octconv-ab HIGH_IN LOW_IN HIGH_OUT LOW_OUT SIZE [KERNEL=3] [STRIDE=1] [BATCH=16] [ROUNDS=15]");
            return 2;
        }
        for (int i = 0; i < 9; i++)
        {
            if (i >= args.Length) { v[i] = defaults[i]; continue; }
            if (!int.TryParse(args[i], out v[i]) || v[i] < (i < 4 ? 0 : 1))
            {
                error.WriteLine($"octconv-ab: argument {i + 1} '{args[i]}' must be a {(i < 4 ? "non-negative" : "positive")} integer.");
                return 2;
            }
        }
        int hin = v[0], lin = v[1], hout = v[2], lout = v[3], size = v[4], k = v[5], stride = v[6], n = v[7], rounds = v[8];
        var paths = new OctavePaths(1, lin > 0 ? 1 : 0, lout > 0 ? 1 : 0, lin > 0 && lout > 0 ? 1 : 0);
        var g = new OctaveConvGeometry(n, size, size, hin, lin, hout, lout, k, stride, k / 2, 1, paths);
        var rng = new Random(5);
        float[] R(long len) => RandomData.Uniform(rng, len);
        float[] xh = R((long)n * hin * size * size), xl = R((long)n * lin * g.XlH * g.XlW);
        float[][] w = [R(hout * hin * k * k), R(hout * lin * k * k), R(lout * hin * k * k), R(lout * lin * k * k)];
        long yhLen = (long)n * hout * g.OutHiH * g.OutHiW, ylLen = (long)n * lout * g.OutLoH * g.OutLoW;
        float[] yh = new float[yhLen], yl = new float[ylLen], dyh = R(yhLen), dyl = R(ylLen), dxh = new float[xh.Length], dxl = new float[xl.Length];
        float[][] grads = w.Select(x => new float[x.Length]).ToArray();
        var tiled = new OctaveConvKernel(g, tileColumns: true);
        var whole = new OctaveConvKernel(g, tileColumns: false);
        output.WriteLine($"# octave conv {hin}+{lin} -> {hout}+{lout}, {k}x{k} stride {stride}, {size} px, batch {n}, {Parallelism.Threads} threads; tiles (high, low): {tiled.TilesColumns}");
        (double F, double B) Once(OctaveConvKernel kernel)
        {
            long t0 = Stopwatch.GetTimestamp();
            kernel.Forward(xh, xl, w, yh, yl);
            double f = Stopwatch.GetElapsedTime(t0).TotalSeconds;
            t0 = Stopwatch.GetTimestamp();
            kernel.Backward(xh, xl, dyh, dyl, w, grads, dxh, dxl);
            return (f, Stopwatch.GetElapsedTime(t0).TotalSeconds);
        }
        Once(tiled); Once(whole); Once(tiled); Once(whole);
        var tf = new double[rounds]; var tb = new double[rounds]; var wf = new double[rounds]; var wb = new double[rounds];
        var ratio = new double[rounds];
        for (int r = 0; r < rounds; r++)
        {
            (tf[r], tb[r]) = Once(tiled);
            (wf[r], wb[r]) = Once(whole);
            ratio[r] = (wf[r] + wb[r]) / (tf[r] + tb[r]);
        }
        output.WriteLine($"# tiled fwd {Figure.Median(tf) * 1e3:0.00} bwd {Figure.Median(tb) * 1e3:0.00} ms; whole fwd {Figure.Median(wf) * 1e3:0.00} bwd {Figure.Median(wb) * 1e3:0.00} ms");
        // Multiply-adds of the forward (the four paths at their output resolutions); backward is twice that.
        long pHi = (long)g.OutHiH * g.OutHiW, pLo = (long)g.OutLoH * g.OutLoW;
        double macs = (double)n * k * k * (hout * hin * pHi + hout * lin * (stride == 2 ? pHi : pLo) + lout * (long)(hin + lin) * pLo);
        double peak = Figure.Median(Enumerable.Range(0, 5).Select(_ => FmaPeak.Gflops(Parallelism.Threads)).ToArray());
        double best = Math.Min(Figure.Median(tf) + Figure.Median(tb), Figure.Median(wf) + Figure.Median(wb));
        Figure.Print(output, "octconv_ab_fma_peak_gflops", peak);
        Figure.Print(output, "octconv_ab_peak_fraction", 6 * macs / best / 1e9 / peak);
        Figure.Print(output, "octconv_ab_whole_over_tiled_fwd", Figure.Median(wf) / Figure.Median(tf));
        Figure.Print(output, "octconv_ab_whole_over_tiled_bwd", Figure.Median(wb) / Figure.Median(tb));
        Figure.Print(output, "octconv_ab_whole_over_tiled", Figure.Median(ratio));
        return 0;
    }
}
