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
/// the thread count. At stride 1 a plane is one flat vector loop: output j = oh * Pw + ow (Pw the padded
/// width) reads the padded plane at j + kh * dil * Pw + kw * dil, so rows need no scalar tails (on 7 and 14 px
/// maps most outputs were tails: OctMobileNet's depthwise layers ran 7x slower than memory allows); the
/// ow >= OW columns are computed and dropped.
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
        if (g.Stride == 1)
        {
            ForwardFlat(g, x, w, bias, y, accumulate);
            return;
        }
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
        if (g.Stride == 1)
        {
            BackwardInputFlat(g, dy, w, dx, accumulate);
            return;
        }
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
        if (g.Stride == 1)
        {
            BackwardWeightFlat(g, x, dy, dw);
            return;
        }
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

    // ---- Stride 1: flat loops over the padded plane ----

    /// <summary>The flat loops' sizes: <c>Span</c> outputs (OH rows of Pw) rounded up to whole vectors, and the plane's slack for their reads.</summary>
    private readonly struct Flat
    {
        public readonly int Span, Rounded, Slack, PlaneFloats;
        public Flat(in ConvGeometry g, in Layout l)
        {
            int v = Vector<float>.Count;
            Span = g.OutHeight * l.Pw;
            Rounded = (Span + v - 1) / v * v;
            Slack = v + (g.KernelW - 1) * g.Dilation;
            PlaneFloats = l.Total + Slack;
        }
    }

    /// <summary>Offset of tap (kh, kw) in the padded plane.</summary>
    private static int TapOffset(in ConvGeometry g, in Layout l, int kh, int kw) => (kh * l.Pw + kw) * g.Dilation;

    /// <summary>A dy plane [OH, OW] written at row stride Pw with zeros in the other columns and after it (Rounded floats).</summary>
    private static unsafe void SpreadRows(in ConvGeometry g, in Layout l, in Flat f, float* dyPlane, float* dst)
    {
        int OH = g.OutHeight, OW = g.OutWidth;
        new Span<float>(dst, f.Rounded).Clear();
        for (int oh = 0; oh < OH; oh++) Buffer.MemoryCopy(dyPlane + (long)oh * OW, dst + (long)oh * l.Pw, OW * 4L, OW * 4L);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void ForwardFlat(ConvGeometry g, float* x, float* w, float* bias, float* y, bool accumulate)
    {
        var l = new Layout(g);
        var f = new Flat(g, l);
        int cin = g.InChannels, m = g.OutChannels / cin, hw = g.Height * g.Width;
        int OH = g.OutHeight, OW = g.OutWidth, ohw = OH * OW, kH = g.KernelH, kW = g.KernelW, kk = kH * kW;
        nint xp = (nint)x, wp = (nint)w, bp = (nint)bias, yp = (nint)y;
        Parallelism.For(g.Batch * cin, unit =>
        {
            int n = unit / cin, c = unit - n * cin;
            var scratch = ThreadScratch.Get(f.PlaneFloats + f.Rounded);
            fixed (float* xs = scratch)
            {
                new Span<float>(xs + l.Total, f.Slack).Clear();
                Split(g, l, (float*)xp + ((long)n * cin + c) * hw, xs);
                float* ys = xs + f.PlaneFloats;
                float** taps = stackalloc float*[kk];
                for (int kh = 0; kh < kH; kh++)
                    for (int kw = 0; kw < kW; kw++) taps[kh * kW + kw] = xs + TapOffset(g, l, kh, kw);
                for (int j = 0; j < m; j++)
                {
                    int oc = c * m + j;
                    float* wk = (float*)wp + (long)oc * kk;
                    float b = bp != 0 ? ((float*)bp)[oc] : 0f;
                    if (kk == 9) TapSum9(taps, wk, b, ys, f.Rounded, accumulate: false);
                    else TapSum(taps, kk, wk, b, ys, f.Rounded, accumulate: false);
                    float* yPlane = (float*)yp + ((long)n * g.OutChannels + oc) * ohw;
                    for (int oh = 0; oh < OH; oh++)
                    {
                        var row = new Span<float>(yPlane + (long)oh * OW, OW);
                        var res = new ReadOnlySpan<float>(ys + (long)oh * l.Pw, OW);
                        if (accumulate) System.Numerics.Tensors.TensorPrimitives.Add(row, res, row);
                        else res.CopyTo(row);
                    }
                }
            }
        });
    }

    /// <summary>
    /// out[j] = (out[j] when <paramref name="accumulate"/>, else b) + sum over the nine taps t of wk[t] * taps[t][j], j in
    /// [0, n) (n a multiple of the vector width): the forward reads the padded input at each tap's offset, the input
    /// gradient the spread output gradient at the mirrored one.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void TapSum9(float** taps, float* wk, float b, float* output, int n, bool accumulate)
    {
        Vector<float> w0 = new(wk[0]), w1 = new(wk[1]), w2 = new(wk[2]), w3 = new(wk[3]), w4 = new(wk[4]),
            w5 = new(wk[5]), w6 = new(wk[6]), w7 = new(wk[7]), w8 = new(wk[8]), bv = new(b);
        float* x0 = taps[0], x1 = taps[1], x2 = taps[2], x3 = taps[3], x4 = taps[4],
            x5 = taps[5], x6 = taps[6], x7 = taps[7], x8 = taps[8];
        for (int j = 0; j < n; j += Vector<float>.Count)
        {
            var acc = accumulate ? Vector.Load(output + j) : bv;
            acc = Vector.FusedMultiplyAdd(w0, Vector.Load(x0 + j), acc);
            acc = Vector.FusedMultiplyAdd(w1, Vector.Load(x1 + j), acc);
            acc = Vector.FusedMultiplyAdd(w2, Vector.Load(x2 + j), acc);
            acc = Vector.FusedMultiplyAdd(w3, Vector.Load(x3 + j), acc);
            acc = Vector.FusedMultiplyAdd(w4, Vector.Load(x4 + j), acc);
            acc = Vector.FusedMultiplyAdd(w5, Vector.Load(x5 + j), acc);
            acc = Vector.FusedMultiplyAdd(w6, Vector.Load(x6 + j), acc);
            acc = Vector.FusedMultiplyAdd(w7, Vector.Load(x7 + j), acc);
            acc = Vector.FusedMultiplyAdd(w8, Vector.Load(x8 + j), acc);
            acc.Store(output + j);
        }
    }

    /// <summary>Any kernel size: <see cref="TapSum9"/> with the taps in a loop.</summary>
    private static unsafe void TapSum(float** taps, int kk, float* wk, float b, float* output, int n, bool accumulate)
    {
        for (int j = 0; j < n; j += Vector<float>.Count)
        {
            var acc = accumulate ? Vector.Load(output + j) : new Vector<float>(b);
            for (int t = 0; t < kk; t++) acc = Vector.FusedMultiplyAdd(new Vector<float>(wk[t]), Vector.Load(taps[t] + j), acc);
            acc.Store(output + j);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void BackwardInputFlat(ConvGeometry g, float* dy, float* w, float* dx, bool accumulate)
    {
        var l = new Layout(g);
        var f = new Flat(g, l);
        int cin = g.InChannels, m = g.OutChannels / cin, hw = g.Height * g.Width;
        int OH = g.OutHeight, OW = g.OutWidth, ohw = OH * OW, kH = g.KernelH, kW = g.KernelW, kk = kH * kW;
        int v = Vector<float>.Count;
        // dx_padded[p] = sum over taps t of w[t] * dy_spread[p - off(t)]: dy spread to the padded row stride
        // after a zero margin as long as the furthest tap, so every read is in the buffer; one pass per plane.
        int margin = (TapOffset(g, l, kH - 1, kW - 1) + v - 1) / v * v;
        int total = (l.Total + v - 1) / v * v, spread = margin + Math.Max(total, f.Rounded) + v;
        nint dyp = (nint)dy, wp = (nint)w, dxp = (nint)dx;
        Parallelism.For(g.Batch * cin, unit =>
        {
            int n = unit / cin, c = unit - n * cin;
            var scratch = ThreadScratch.Get(total + spread);
            fixed (float* xs = scratch)
            {
                float* d = xs + total;
                float** taps = stackalloc float*[kk];
                for (int t = 0; t < kk; t++) taps[t] = d + margin - TapOffset(g, l, t / kW, t % kW);
                for (int j = 0; j < m; j++)
                {
                    int oc = c * m + j;
                    float* wk = (float*)wp + (long)oc * kk;
                    new Span<float>(d, spread).Clear();
                    float* dyPlane = (float*)dyp + ((long)n * g.OutChannels + oc) * ohw;
                    for (int oh = 0; oh < OH; oh++) Buffer.MemoryCopy(dyPlane + (long)oh * OW, d + margin + (long)oh * l.Pw, OW * 4L, OW * 4L);
                    if (kk == 9) TapSum9(taps, wk, 0f, xs, total, accumulate: j > 0);
                    else TapSum(taps, kk, wk, 0f, xs, total, accumulate: j > 0);
                }
                Merge(g, l, xs, (float*)dxp + ((long)n * cin + c) * hw, accumulate);
            }
        });
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void BackwardWeightFlat(ConvGeometry g, float* x, float* dy, float* dw)
    {
        var l = new Layout(g);
        var f = new Flat(g, l);
        int cin = g.InChannels, m = g.OutChannels / cin, hw = g.Height * g.Width;
        int OH = g.OutHeight, OW = g.OutWidth, ohw = OH * OW, kH = g.KernelH, kW = g.KernelW, kk = kH * kW;
        nint xp = (nint)x, dyp = (nint)dy, dwp = (nint)dw;
        Parallelism.For(cin, c =>
        {
            var scratch = ThreadScratch.Get(f.PlaneFloats + f.Rounded + m * kk);
            fixed (float* xs = scratch)
            {
                float* d = xs + f.PlaneFloats, acc = d + f.Rounded;
                new Span<float>(acc, m * kk).Clear();
                int* off = stackalloc int[kk];
                for (int t = 0; t < kk; t++) off[t] = TapOffset(g, l, t / kW, t % kW);
                new Span<float>(xs + l.Total, f.Slack).Clear();
                for (int n = 0; n < g.Batch; n++)
                {
                    Split(g, l, (float*)xp + ((long)n * cin + c) * hw, xs);
                    for (int j = 0; j < m; j++)
                    {
                        int oc = c * m + j;
                        SpreadRows(g, l, f, (float*)dyp + ((long)n * g.OutChannels + oc) * ohw, d);
                        if (kk == 9)
                        {
                            Dots9(d, xs, off, f.Rounded, acc + j * kk);
                            continue;
                        }
                        for (int t = 0; t < kk; t++) acc[j * kk + t] += FlatDot(d, xs + off[t], f.Rounded);
                    }
                }
                float* dwc = (float*)dwp + (long)c * m * kk;
                for (int i = 0; i < m * kk; i++) dwc[i] += acc[i];
            }
        });
    }

    /// <summary>acc[t] += sum over j in [0, n) of d[j] * xs[j + off[t]] for the nine taps, in one pass over d.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Dots9(float* d, float* xs, int* off, int n, float* acc)
    {
        float* x0 = xs + off[0], x1 = xs + off[1], x2 = xs + off[2], x3 = xs + off[3], x4 = xs + off[4],
            x5 = xs + off[5], x6 = xs + off[6], x7 = xs + off[7], x8 = xs + off[8];
        Vector<float> s0 = default, s1 = default, s2 = default, s3 = default, s4 = default, s5 = default, s6 = default, s7 = default, s8 = default;
        for (int j = 0; j < n; j += Vector<float>.Count)
        {
            var dv = Vector.Load(d + j);
            s0 = Vector.FusedMultiplyAdd(dv, Vector.Load(x0 + j), s0);
            s1 = Vector.FusedMultiplyAdd(dv, Vector.Load(x1 + j), s1);
            s2 = Vector.FusedMultiplyAdd(dv, Vector.Load(x2 + j), s2);
            s3 = Vector.FusedMultiplyAdd(dv, Vector.Load(x3 + j), s3);
            s4 = Vector.FusedMultiplyAdd(dv, Vector.Load(x4 + j), s4);
            s5 = Vector.FusedMultiplyAdd(dv, Vector.Load(x5 + j), s5);
            s6 = Vector.FusedMultiplyAdd(dv, Vector.Load(x6 + j), s6);
            s7 = Vector.FusedMultiplyAdd(dv, Vector.Load(x7 + j), s7);
            s8 = Vector.FusedMultiplyAdd(dv, Vector.Load(x8 + j), s8);
        }
        acc[0] += Vector.Sum(s0); acc[1] += Vector.Sum(s1); acc[2] += Vector.Sum(s2);
        acc[3] += Vector.Sum(s3); acc[4] += Vector.Sum(s4); acc[5] += Vector.Sum(s5);
        acc[6] += Vector.Sum(s6); acc[7] += Vector.Sum(s7); acc[8] += Vector.Sum(s8);
    }

    /// <summary>sum over j in [0, n) of a[j] * b[j], n a multiple of the vector width; two chains, summed in a fixed order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe float FlatDot(float* a, float* b, int n)
    {
        int v = Vector<float>.Count, j = 0;
        Vector<float> s0 = Vector<float>.Zero, s1 = Vector<float>.Zero;
        for (; j + 2 * v <= n; j += 2 * v)
        {
            s0 = Vector.FusedMultiplyAdd(Vector.Load(a + j), Vector.Load(b + j), s0);
            s1 = Vector.FusedMultiplyAdd(Vector.Load(a + j + v), Vector.Load(b + j + v), s1);
        }
        if (j < n) s0 = Vector.FusedMultiplyAdd(Vector.Load(a + j), Vector.Load(b + j), s0);
        return Vector.Sum(s0 + s1);
    }
}
