using System.Numerics;
using System.Runtime.CompilerServices;
using OctaveML.Threading;

namespace OctaveML.Ops;

/// <summary>
/// Direct SIMD depthwise convolution (groups == in channels, any channel multiplier m = Cout / Cin;
/// output channel oc reads input channel oc / m). Each input plane is copied once into zero-padded
/// "phase planes": plane q holds padded columns q, q + S, q + 2S, ..., so for every stride the
/// inputs of consecutive output columns are consecutive in memory and vector loads need no gather
/// and no bounds checks. Work items (image, channel) are independent, so results do not depend on
/// the thread count.
/// </summary>
internal static class DepthwiseConv2d
{
    private readonly struct Layout
    {
        public readonly int Hp, Pw, PlaneStride, Total;
        public Layout(in ConvGeometry g)
        {
            int s = g.Stride;
            Hp = g.Height + 2 * g.Padding;
            int wp = g.Width + 2 * g.Padding;
            Pw = (wp + s - 1) / s;
            PlaneStride = Hp * Pw;
            Total = s * PlaneStride;
        }
    }

    /// <summary>Offset inside the phase planes of kernel column kw's first input (output column 0).</summary>
    private static int KwOffset(in ConvGeometry g, in Layout l, int kw)
    {
        int c = kw * g.Dilation;
        return c % g.Stride * l.PlaneStride + c / g.Stride;
    }

    /// <summary>Copies one H x W plane into zeroed phase planes (padding included).</summary>
    private static unsafe void Split(in ConvGeometry g, in Layout l, float* plane, float* xs)
    {
        new Span<float>(xs, l.Total).Clear();
        int H = g.Height, W = g.Width, P = g.Padding, s = g.Stride;
        for (int ih = 0; ih < H; ih++)
        {
            float* src = plane + (long)ih * W;
            int r = ih + P;
            if (s == 1)
            {
                Buffer.MemoryCopy(src, xs + (long)r * l.Pw + P, W * 4L, W * 4L);
                continue;
            }
            for (int iw = 0; iw < W; iw++)
            {
                int c = iw + P;
                xs[c % s * l.PlaneStride + r * l.Pw + c / s] = src[iw];
            }
        }
    }

    /// <summary>dx plane (=|+=) the un-padded content of the phase planes.</summary>
    private static unsafe void Merge(in ConvGeometry g, in Layout l, float* xs, float* plane, bool accumulate)
    {
        int H = g.Height, W = g.Width, P = g.Padding, s = g.Stride;
        for (int ih = 0; ih < H; ih++)
        {
            float* dst = plane + (long)ih * W;
            int r = ih + P;
            if (s == 1)
            {
                float* src = xs + (long)r * l.Pw + P;
                if (accumulate) for (int iw = 0; iw < W; iw++) dst[iw] += src[iw];
                else Buffer.MemoryCopy(src, dst, W * 4L, W * 4L);
                continue;
            }
            for (int iw = 0; iw < W; iw++)
            {
                int c = iw + P;
                float v = xs[c % s * l.PlaneStride + r * l.Pw + c / s];
                dst[iw] = accumulate ? dst[iw] + v : v;
            }
        }
    }

    /// <summary>y = depthwise(x, w) + bias (or += when <paramref name="accumulate"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void Forward(ConvGeometry g, float* x, float* w, float* bias, float* y, bool accumulate)
    {
        var l = new Layout(g);
        int cin = g.InChannels, m = g.OutChannels / cin, hw = g.Height * g.Width;
        int OH = g.OutHeight, OW = g.OutWidth, ohw = OH * OW, kH = g.KernelH, kW = g.KernelW, kk = kH * kW;
        nint xp = (nint)x, wp = (nint)w, bp = (nint)bias, yp = (nint)y;
        Parallelism.For(g.Batch * cin, unit =>
        {
            int n = unit / cin, c = unit - n * cin;
            var scratch = ThreadScratch.Get(l.Total);
            fixed (float* xs = scratch)
            {
                Split(g, l, (float*)xp + ((long)n * cin + c) * hw, xs);
                int* kwOff = stackalloc int[kW];
                for (int kw = 0; kw < kW; kw++) kwOff[kw] = KwOffset(g, l, kw);
                for (int j = 0; j < m; j++)
                {
                    int oc = c * m + j;
                    float* wk = (float*)wp + (long)oc * kk;
                    float b = bp != 0 ? ((float*)bp)[oc] : 0f;
                    float* yPlane = (float*)yp + ((long)n * g.OutChannels + oc) * ohw;
                    for (int oh = 0; oh < OH; oh++)
                        ForwardRow(xs + (long)oh * g.Stride * l.Pw, l.Pw * g.Dilation, kwOff, wk, kH, kW, b,
                            yPlane + (long)oh * OW, OW, accumulate);
                }
            }
        });
    }

    /// <summary>One output row: y[ow] = b + sum_{kh,kw} w[kh,kw] * rows[kh*rowStep + kwOff[kw] + ow].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void ForwardRow(float* rows, int rowStep, int* kwOff, float* wk, int kH, int kW,
        float b, float* yRow, int OW, bool accumulate)
    {
        int V = Vector<float>.Count, ow = 0;
        if (kH == 3 && kW == 3)
        {
            // The common 3x3 case with the nine weights held in registers.
            Vector<float> w0 = new(wk[0]), w1 = new(wk[1]), w2 = new(wk[2]), w3 = new(wk[3]), w4 = new(wk[4]),
                w5 = new(wk[5]), w6 = new(wk[6]), w7 = new(wk[7]), w8 = new(wk[8]);
            float* r0 = rows, r1 = rows + rowStep, r2 = rows + 2 * rowStep;
            int o0 = kwOff[0], o1 = kwOff[1], o2 = kwOff[2];
            for (; ow <= OW - V; ow += V)
            {
                var acc = new Vector<float>(b);
                if (accumulate) acc += Vector.Load(yRow + ow);
                acc = Vector.FusedMultiplyAdd(w0, Vector.Load(r0 + o0 + ow), acc);
                acc = Vector.FusedMultiplyAdd(w1, Vector.Load(r0 + o1 + ow), acc);
                acc = Vector.FusedMultiplyAdd(w2, Vector.Load(r0 + o2 + ow), acc);
                acc = Vector.FusedMultiplyAdd(w3, Vector.Load(r1 + o0 + ow), acc);
                acc = Vector.FusedMultiplyAdd(w4, Vector.Load(r1 + o1 + ow), acc);
                acc = Vector.FusedMultiplyAdd(w5, Vector.Load(r1 + o2 + ow), acc);
                acc = Vector.FusedMultiplyAdd(w6, Vector.Load(r2 + o0 + ow), acc);
                acc = Vector.FusedMultiplyAdd(w7, Vector.Load(r2 + o1 + ow), acc);
                acc = Vector.FusedMultiplyAdd(w8, Vector.Load(r2 + o2 + ow), acc);
                acc.Store(yRow + ow);
            }
        }
        else
        {
            for (; ow <= OW - V; ow += V)
            {
                var acc = new Vector<float>(b);
                if (accumulate) acc += Vector.Load(yRow + ow);
                for (int kh = 0; kh < kH; kh++)
                {
                    float* r = rows + (long)kh * rowStep + ow;
                    for (int kw = 0; kw < kW; kw++)
                        acc = Vector.FusedMultiplyAdd(new Vector<float>(wk[kh * kW + kw]), Vector.Load(r + kwOff[kw]), acc);
                }
                acc.Store(yRow + ow);
            }
        }
        for (; ow < OW; ow++)
        {
            float acc = b;
            if (accumulate) acc += yRow[ow];
            for (int kh = 0; kh < kH; kh++)
            {
                float* r = rows + (long)kh * rowStep + ow;
                for (int kw = 0; kw < kW; kw++) acc = MathF.FusedMultiplyAdd(wk[kh * kW + kw], r[kwOff[kw]], acc);
            }
            yRow[ow] = acc;
        }
    }

    /// <summary>dx = conv_transpose(dy, w) (or += when <paramref name="accumulate"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void BackwardInput(ConvGeometry g, float* dy, float* w, float* dx, bool accumulate)
    {
        var l = new Layout(g);
        int cin = g.InChannels, m = g.OutChannels / cin, hw = g.Height * g.Width;
        int OH = g.OutHeight, OW = g.OutWidth, ohw = OH * OW, kH = g.KernelH, kW = g.KernelW, kk = kH * kW;
        nint dyp = (nint)dy, wp = (nint)w, dxp = (nint)dx;
        Parallelism.For(g.Batch * cin, unit =>
        {
            int n = unit / cin, c = unit - n * cin;
            var scratch = ThreadScratch.Get(l.Total);
            fixed (float* xs = scratch)
            {
                new Span<float>(xs, l.Total).Clear();
                for (int j = 0; j < m; j++)
                {
                    int oc = c * m + j;
                    float* wk = (float*)wp + (long)oc * kk;
                    float* dyPlane = (float*)dyp + ((long)n * g.OutChannels + oc) * ohw;
                    for (int oh = 0; oh < OH; oh++)
                    {
                        float* dyRow = dyPlane + (long)oh * OW;
                        for (int kh = 0; kh < kH; kh++)
                        {
                            float* row = xs + (long)(oh * g.Stride + kh * g.Dilation) * l.Pw;
                            for (int kw = 0; kw < kW; kw++)
                                Axpy(wk[kh * kW + kw], dyRow, row + KwOffset(g, l, kw), OW);
                        }
                    }
                }
                Merge(g, l, xs, (float*)dxp + ((long)n * cin + c) * hw, accumulate);
            }
        });
    }

    /// <summary>dst[i] += a * src[i] for i in [0, n).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Axpy(float a, float* src, float* dst, int n)
    {
        int V = Vector<float>.Count, i = 0;
        var av = new Vector<float>(a);
        for (; i <= n - V; i += V)
            Vector.FusedMultiplyAdd(av, Vector.Load(src + i), Vector.Load(dst + i)).Store(dst + i);
        for (; i < n; i++) dst[i] = MathF.FusedMultiplyAdd(a, src[i], dst[i]);
    }

    /// <summary>dw += the weight gradient (bias is handled by the caller). One work item per input channel, batch summed in order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void BackwardWeight(ConvGeometry g, float* x, float* dy, float* dw)
    {
        var l = new Layout(g);
        int cin = g.InChannels, m = g.OutChannels / cin, hw = g.Height * g.Width;
        int OH = g.OutHeight, OW = g.OutWidth, ohw = OH * OW, kH = g.KernelH, kW = g.KernelW, kk = kH * kW;
        nint xp = (nint)x, dyp = (nint)dy, dwp = (nint)dw;
        Parallelism.For(cin, c =>
        {
            var scratch = ThreadScratch.Get(l.Total + m * kk);
            fixed (float* xs = scratch)
            {
                float* acc = xs + l.Total;
                new Span<float>(acc, m * kk).Clear();
                for (int n = 0; n < g.Batch; n++)
                {
                    Split(g, l, (float*)xp + ((long)n * cin + c) * hw, xs);
                    for (int j = 0; j < m; j++)
                    {
                        int oc = c * m + j;
                        float* dyPlane = (float*)dyp + ((long)n * g.OutChannels + oc) * ohw;
                        for (int kh = 0; kh < kH; kh++)
                            for (int kw = 0; kw < kW; kw++)
                            {
                                float* src = xs + (long)kh * g.Dilation * l.Pw + KwOffset(g, l, kw);
                                acc[j * kk + kh * kW + kw] += PlaneDot(dyPlane, src, OH, OW, l.Pw * g.Stride);
                            }
                    }
                }
                float* dwc = (float*)dwp + (long)c * m * kk;
                for (int i = 0; i < m * kk; i++) dwc[i] += acc[i];
            }
        });
    }

    /// <summary>sum over oh, ow of dy[oh*OW + ow] * src[oh*srcRowStep + ow].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe float PlaneDot(float* dy, float* src, int OH, int OW, int srcRowStep)
    {
        int V = Vector<float>.Count;
        var acc0 = Vector<float>.Zero;
        var acc1 = Vector<float>.Zero;
        float tail = 0;
        for (int oh = 0; oh < OH; oh++)
        {
            float* d = dy + (long)oh * OW, s = src + (long)oh * srcRowStep;
            int ow = 0;
            for (; ow <= OW - 2 * V; ow += 2 * V)
            {
                acc0 = Vector.FusedMultiplyAdd(Vector.Load(d + ow), Vector.Load(s + ow), acc0);
                acc1 = Vector.FusedMultiplyAdd(Vector.Load(d + ow + V), Vector.Load(s + ow + V), acc1);
            }
            for (; ow <= OW - V; ow += V)
                acc0 = Vector.FusedMultiplyAdd(Vector.Load(d + ow), Vector.Load(s + ow), acc0);
            for (; ow < OW; ow++) tail = MathF.FusedMultiplyAdd(d[ow], s[ow], tail);
        }
        return Vector.Sum(acc0 + acc1) + tail;
    }
}
