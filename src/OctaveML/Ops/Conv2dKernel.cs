using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using OctaveML.Blas;
using OctaveML.Threading;

namespace OctaveML.Ops;

/// <summary>
/// 2-D convolution forward and backward on flat NCHW buffers, matching
/// <c>torch.nn.functional.conv2d</c> and its autograd gradients. 1x1 stride-1 unpadded convolutions
/// are a matrix product per image (an image is already a [Cin x HW] matrix); other kernels unfold
/// tiles of output columns with <see cref="Im2Col"/> into a per-thread buffer and call
/// <see cref="Gemm.Sgemm"/> (single-threaded inside work items spread over images, column tiles
/// or channel blocks: measured faster on 2 cores than parallelising each GEMM); small planes
/// (fewer than 1024 outputs) put several images side by side in one GEMM. Depthwise convolutions
/// use a direct SIMD kernel. Every output element is reduced in a fixed order by one work item and
/// the split depends on the geometry only, so results are bit-identical from run to run and
/// across thread counts (given a deterministic <see cref="Gemm.Sgemm"/>). Input and output
/// buffers must not overlap.
/// </summary>
public static class Conv2dKernel
{
    /// <summary>Target floats in one im2col tile (4 MB; measured 10-20% faster forward than 2 MB on 56x56x256, 3x3).</summary>
    private const int TileFloats = 1 << 20;

    /// <summary>Target dw columns (im2col rows) per weight-gradient work item.</summary>
    private const int WeightBlockRows = 288;

    /// <summary>Output planes smaller than this are batched: several images side by side in one GEMM.</summary>
    private const int SmallPlane = 1024;

    /// <summary>Target im2col rows per input-gradient work item.</summary>
    private const int InputBlockRows = 144;

    /// <summary>
    /// y[N, Cout, OH, OW] = conv(x[N, Cin, H, W], w[Cout, Cin/groups, kH, kW]) + bias. An empty
    /// <paramref name="bias"/> means no bias. With <paramref name="accumulate"/> the result is added
    /// into <paramref name="y"/> instead of overwriting it.
    /// </summary>
    public static unsafe void Forward(in ConvGeometry g, ReadOnlySpan<float> x, ReadOnlySpan<float> w,
        ReadOnlySpan<float> bias, Span<float> y, bool accumulate = false)
    {
        g.Validate();
        CheckLength(x.Length, g.InputLength, nameof(x), "Batch*InChannels*Height*Width");
        CheckLength(w.Length, g.WeightLength, nameof(w), "OutChannels*(InChannels/Groups)*KernelH*KernelW");
        if (!bias.IsEmpty) CheckLength(bias.Length, g.OutChannels, nameof(bias), "OutChannels (or empty for no bias)");
        CheckLength(y.Length, g.OutputLength, nameof(y), "Batch*OutChannels*OutHeight*OutWidth");
        fixed (float* px = x, pw = w, pb = bias, py = y)
        {
            if (g.IsDepthwise) { DepthwiseConv2d.Forward(g, px, pw, bias.IsEmpty ? null : pb, py, accumulate); return; }
            ForwardGemm(g, px, pw, bias.IsEmpty ? null : pb, py, accumulate);
        }
    }

    /// <summary>
    /// dx = conv_transpose(dy, w): the gradient of <see cref="Forward"/> with respect to x. With
    /// <paramref name="accumulate"/> it is added into <paramref name="dx"/>.
    /// </summary>
    public static unsafe void BackwardInput(in ConvGeometry g, ReadOnlySpan<float> dy, ReadOnlySpan<float> w,
        Span<float> dx, bool accumulate = false)
    {
        g.Validate();
        CheckLength(dy.Length, g.OutputLength, nameof(dy), "Batch*OutChannels*OutHeight*OutWidth");
        CheckLength(w.Length, g.WeightLength, nameof(w), "OutChannels*(InChannels/Groups)*KernelH*KernelW");
        CheckLength(dx.Length, g.InputLength, nameof(dx), "Batch*InChannels*Height*Width");
        fixed (float* pdy = dy, pw = w, pdx = dx)
        {
            if (g.IsDepthwise) { DepthwiseConv2d.BackwardInput(g, pdy, pw, pdx, accumulate); return; }
            BackwardInputGemm(g, pdy, pw, pdx, accumulate);
        }
    }

    /// <summary>
    /// dw += the weight gradient and dbias += the bias gradient (sum of dy over batch and space);
    /// both always accumulate, like PyTorch's .grad. An empty <paramref name="dbias"/> skips the bias.
    /// </summary>
    public static unsafe void BackwardWeight(in ConvGeometry g, ReadOnlySpan<float> x, ReadOnlySpan<float> dy,
        Span<float> dw, Span<float> dbias)
    {
        g.Validate();
        CheckLength(x.Length, g.InputLength, nameof(x), "Batch*InChannels*Height*Width");
        CheckLength(dy.Length, g.OutputLength, nameof(dy), "Batch*OutChannels*OutHeight*OutWidth");
        CheckLength(dw.Length, g.WeightLength, nameof(dw), "OutChannels*(InChannels/Groups)*KernelH*KernelW");
        if (!dbias.IsEmpty) CheckLength(dbias.Length, g.OutChannels, nameof(dbias), "OutChannels (or empty for no bias)");
        fixed (float* px = x, pdy = dy, pdw = dw, pdb = dbias)
        {
            if (g.IsDepthwise) DepthwiseConv2d.BackwardWeight(g, px, pdy, pdw);
            else BackwardWeightGemm(g, px, pdy, pdw);
            if (!dbias.IsEmpty) BiasGradient(g, pdy, pdb);
        }
    }

    private static void CheckLength(int actual, long expected, string name, string formula)
    {
        if (actual != expected)
            throw new ArgumentException($"{name} has {actual} elements; expected {formula} = {expected}.", name);
    }

    /// <summary>
    /// Channels per work item so that a block has about <paramref name="targetRows"/> im2col rows,
    /// a multiple of 16 where possible (whole GEMM micro-tiles), and there are at least
    /// <paramref name="minItems"/> work items when the channels allow. Depends on the geometry only.
    /// </summary>
    private static int ChannelBlock(int kk, int channels, int otherItems, int targetRows, int minItems)
    {
        int step = 16 >> Math.Min(4, System.Numerics.BitOperations.TrailingZeroCount(kk));
        int cb = Math.Max(step, targetRows / (step * kk) * step);
        while (cb > step && otherItems * ((channels + cb - 1) / cb) < minItems) cb -= step;
        return Math.Clamp(cb, 1, channels);
    }

    /// <summary>
    /// Images whose columns go side by side into one GEMM: 1 for large planes; for small ones
    /// (deep layers, 7x7 to 28x28) enough to give the GEMM about 256 to 1024 columns, so its
    /// micro-tiles are not mostly ragged edges. Depends on the geometry only.
    /// </summary>
    private static int ImagesPerStep(int ohw, int rows, int batch)
    {
        if (ohw >= SmallPlane || batch == 1) return 1;
        int cols = Math.Min(SmallPlane, Math.Max(256, TileFloats / Math.Max(1, rows)));
        return Math.Clamp(cols / ohw, 1, batch);
    }

    /// <summary>Columns per im2col tile for a column matrix with <paramref name="rows"/> rows.</summary>
    private static int TileColumns(int rows, int ohw)
    {
        int cols = Math.Max(64, TileFloats / Math.Max(1, rows));
        if (cols >= ohw) return ohw;
        cols = cols / 16 * 16;
        int tiles = (ohw + cols - 1) / cols;
        // Even out the tiles so the last one is not a sliver.
        cols = (ohw + tiles - 1) / tiles;
        return (cols + 15) / 16 * 16 > ohw ? ohw : (cols + 15) / 16 * 16;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void ForwardGemm(ConvGeometry g, float* x, float* w, float* bias, float* y, bool accumulate)
    {
        int G = g.Groups, cinG = g.InChannelsPerGroup, coutG = g.OutChannelsPerGroup;
        int K = cinG * g.KernelH * g.KernelW, hw = g.Height * g.Width, ohw = g.OutHeight * g.OutWidth;
        bool pointwise = g.IsPointwise;
        int imgs = ImagesPerStep(ohw, K, g.Batch);
        if (imgs > 1)
        {
            ForwardBatched(g, x, w, bias, y, accumulate, imgs);
            return;
        }
        int tile = pointwise ? Math.Min(ohw, Math.Max(256, TileFloats / Math.Max(1, coutG)) / 16 * 16) : TileColumns(K, ohw);
        int tiles = (ohw + tile - 1) / tile;
        int units = g.Batch * G * tiles;
        // With fewer work items than threads, let the GEMM itself use the threads.
        int gemmThreads = units >= Parallelism.Threads ? 1 : 0;
        nint xp = (nint)x, wp = (nint)w, bp = (nint)bias, yp = (nint)y;
        Parallelism.For(units, u =>
        {
            int t = u % tiles, ng = u / tiles, grp = ng % G, n = ng / G;
            int c0 = t * tile, cols = Math.Min(tile, ohw - c0);
            float* xImg = (float*)xp + ((long)n * g.InChannels + grp * cinG) * hw;
            float* yBlk = (float*)yp + ((long)n * g.OutChannels + grp * coutG) * ohw + c0;
            var a = new ReadOnlySpan<float>((float*)wp + (long)grp * coutG * K, coutG * K);
            var c = new Span<float>(yBlk, (coutG - 1) * ohw + cols);
            if (pointwise)
            {
                Gemm.Sgemm(false, false, coutG, cols, K, 1f, a, K,
                    new ReadOnlySpan<float>(xImg + c0, (K - 1) * hw + cols), hw, accumulate ? 1f : 0f, c, ohw, gemmThreads);
            }
            else
            {
                var col = ThreadScratch.Get(K * cols);
                Im2Col.Unfold(g, new ReadOnlySpan<float>(xImg, cinG * hw), cinG, c0, cols, col);
                Gemm.Sgemm(false, false, coutG, cols, K, 1f, a, K, col, cols, accumulate ? 1f : 0f, c, ohw, gemmThreads);
            }
            if (bp != 0)
            {
                float* b = (float*)bp + grp * coutG;
                for (int o = 0; o < coutG; o++)
                {
                    var row = new Span<float>(yBlk + (long)o * ohw, cols);
                    TensorPrimitives.Add(row, b[o], row);
                }
            }
        }, gemmThreads == 1 ? 0 : 1);
    }

    /// <summary>Forward for small planes: <paramref name="imgs"/> images per GEMM, result scattered into y.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void ForwardBatched(ConvGeometry g, float* x, float* w, float* bias, float* y, bool accumulate, int imgs)
    {
        int G = g.Groups, cinG = g.InChannelsPerGroup, coutG = g.OutChannelsPerGroup;
        int K = cinG * g.KernelH * g.KernelW, hw = g.Height * g.Width, ohw = g.OutHeight * g.OutWidth;
        int steps = (g.Batch + imgs - 1) / imgs, colsMax = imgs * ohw;
        int units = steps * G;
        int gemmThreads = units >= Parallelism.Threads ? 1 : 0;
        nint xp = (nint)x, wp = (nint)w, bp = (nint)bias, yp = (nint)y;
        Parallelism.For(units, u =>
        {
            int grp = u % G, n0 = u / G * imgs, nb = Math.Min(imgs, g.Batch - n0), cols = nb * ohw;
            var buf = ThreadScratch.Get(K * colsMax + coutG * colsMax);
            var col = buf.AsSpan(0, K * cols);
            var res = buf.AsSpan(K * colsMax, coutG * cols);
            for (int i = 0; i < nb; i++)
            {
                float* xImg = (float*)xp + ((long)(n0 + i) * g.InChannels + grp * cinG) * hw;
                Im2Col.Unfold(g, new ReadOnlySpan<float>(xImg, cinG * hw), cinG, 0, ohw, col.Slice(i * ohw), cols);
            }
            Gemm.Sgemm(false, false, coutG, cols, K, 1f, new ReadOnlySpan<float>((float*)wp + (long)grp * coutG * K, coutG * K), K,
                col, cols, 0f, res, cols, gemmThreads);
            for (int i = 0; i < nb; i++)
                for (int o = 0; o < coutG; o++)
                {
                    var src = res.Slice(o * cols + i * ohw, ohw);
                    var dst = new Span<float>((float*)yp + ((long)(n0 + i) * g.OutChannels + grp * coutG + o) * ohw, ohw);
                    if (accumulate) TensorPrimitives.Add(dst, src, dst);
                    else src.CopyTo(dst);
                    if (bp != 0) TensorPrimitives.Add(dst, ((float*)bp)[grp * coutG + o], dst);
                }
        }, gemmThreads == 1 ? 0 : 1);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void BackwardInputGemm(ConvGeometry g, float* dy, float* w, float* dx, bool accumulate)
    {
        int G = g.Groups, cinG = g.InChannelsPerGroup, coutG = g.OutChannelsPerGroup;
        int kk = g.KernelH * g.KernelW, K = cinG * kk, hw = g.Height * g.Width, ohw = g.OutHeight * g.OutWidth;
        bool pointwise = g.IsPointwise;
        // Work items own disjoint blocks of input channels, so col2im scatters never race.
        int chanBlock = ChannelBlock(kk, cinG, G * g.Batch, InputBlockRows, minItems: 4);
        int blocks = (cinG + chanBlock - 1) / chanBlock;
        int rowsMax = chanBlock * kk;
        int tile = pointwise ? ohw : Math.Min(ohw, Math.Max(16, TileFloats / rowsMax));
        // Small planes: several images side by side in one GEMM (dy gathered), folded back per image.
        int imgs = ImagesPerStep(ohw, rowsMax, g.Batch), steps = (g.Batch + imgs - 1) / imgs;
        int units = steps * G * blocks;
        int gemmThreads = units >= Parallelism.Threads ? 1 : 0;
        nint dyp = (nint)dy, wp = (nint)w, dxp = (nint)dx;
        Parallelism.For(units, u =>
        {
            int blk = u % blocks, ng = u / blocks, grp = ng % G, n = ng / G * imgs;
            int ci0 = blk * chanBlock, nc = Math.Min(chanBlock, cinG - ci0), rows = nc * kk;
            float* dyImg = (float*)dyp + ((long)n * g.OutChannels + grp * coutG) * ohw;
            float* dxBlk = (float*)dxp + ((long)n * g.InChannels + grp * cinG + ci0) * hw;
            // op(A) = W_g^T restricted to this block's rows: A is W_g [coutG x K] read transposed from column ci0*kk.
            var a = new ReadOnlySpan<float>((float*)wp + (long)grp * coutG * K + ci0 * kk, (coutG - 1) * K + rows);
            if (imgs > 1)
            {
                int nb = Math.Min(imgs, g.Batch - n), cols = nb * ohw, colsMax = imgs * ohw;
                var buf = ThreadScratch.Get(rows * colsMax + coutG * colsMax);
                var colB = buf.AsSpan(0, rows * cols);
                var dyB = buf.AsSpan(rows * colsMax, coutG * cols);
                for (int i = 0; i < nb; i++)
                    for (int o = 0; o < coutG; o++)
                        new ReadOnlySpan<float>(dyImg + ((long)i * g.OutChannels + o) * ohw, ohw).CopyTo(dyB.Slice(o * cols + i * ohw, ohw));
                Gemm.Sgemm(true, false, rows, cols, coutG, 1f, a, K, dyB, cols, 0f, colB, cols, gemmThreads);
                for (int i = 0; i < nb; i++)
                {
                    var dxImg = new Span<float>(dxBlk + (long)i * g.InChannels * hw, nc * hw);
                    if (!accumulate) dxImg.Clear();
                    Im2Col.Fold(g, colB.Slice(i * ohw), nc, 0, ohw, dxImg, cols);
                }
                return;
            }
            if (pointwise)
            {
                Gemm.Sgemm(true, false, nc, ohw, coutG, 1f, a, K, new ReadOnlySpan<float>(dyImg, coutG * ohw), ohw,
                    accumulate ? 1f : 0f, new Span<float>(dxBlk, nc * hw), hw, gemmThreads);
                return;
            }
            var dxSpan = new Span<float>(dxBlk, nc * hw);
            if (!accumulate) dxSpan.Clear();
            var col = ThreadScratch.Get(rows * tile);
            for (int c0 = 0; c0 < ohw; c0 += tile)
            {
                int cols = Math.Min(tile, ohw - c0);
                Gemm.Sgemm(true, false, rows, cols, coutG, 1f, a, K,
                    new ReadOnlySpan<float>(dyImg + c0, (coutG - 1) * ohw + cols), ohw, 0f, col, cols, gemmThreads);
                Im2Col.Fold(g, col, nc, c0, cols, dxSpan);
            }
        }, gemmThreads == 1 ? 0 : 1);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void BackwardWeightGemm(ConvGeometry g, float* x, float* dy, float* dw)
    {
        int G = g.Groups, cinG = g.InChannelsPerGroup, coutG = g.OutChannelsPerGroup;
        int kk = g.KernelH * g.KernelW, K = cinG * kk, hw = g.Height * g.Width, ohw = g.OutHeight * g.OutWidth;
        bool pointwise = g.IsPointwise;
        // Work items own disjoint column blocks of dw (blocks of input channels) and sum the batch
        // in order, so dw does not depend on the thread count and im2col work is never repeated.
        // The split depends on the geometry only (at least 4 items when possible, for the threads).
        int chanBlock = ChannelBlock(kk, cinG, G, WeightBlockRows, minItems: 4);
        int blocks = (cinG + chanBlock - 1) / chanBlock;
        int tile = pointwise ? ohw : Math.Min(ohw, Math.Max(16, TileFloats / (chanBlock * kk)));
        // Measured: batching small planes as in the forward pass makes this slower (the dw block
        // is already a large GEMM output), so images go one by one.
        int blockUnits = G * blocks;
        // Few channel blocks (a 3-channel stem has one): the batch is cut into parts too, each summed into
        // its own partial and added to dw in part order, so the threads share the work (and the im2col)
        // instead of splitting each small GEMM. The number of parts depends on the geometry only.
        int parts = blockUnits >= MinWeightItems ? 1 : Math.Clamp(MinWeightItems / blockUnits, 1, g.Batch);
        int units = blockUnits * parts;
        int gemmThreads = units >= Parallelism.Threads ? 1 : 0;
        long dwLength = (long)G * coutG * K;
        float[]? partials = parts > 1 ? System.Buffers.ArrayPool<float>.Shared.Rent((int)(dwLength * (parts - 1))) : null;
        fixed (float* pPartials = partials)
        {
            nint xp = (nint)x, dyp = (nint)dy, dwp = (nint)dw, pp = (nint)pPartials;
            Parallelism.For(units, u =>
            {
                int part = u / blockUnits, bu = u % blockUnits;
                int blk = bu % blocks, grp = bu / blocks;
                int ci0 = blk * chanBlock, nc = Math.Min(chanBlock, cinG - ci0), rows = nc * kk;
                // dw_g[:, ci0*kk .. ci0*kk + rows) += dy_g * col_block^T (part 0 into dw, the others into their partials)
                float* target = part == 0 ? (float*)dwp : (float*)pp + (part - 1) * dwLength;
                var c = new Span<float>(target + (long)grp * coutG * K + ci0 * kk, (coutG - 1) * K + rows);
                float[]? col = pointwise ? null : ThreadScratch.Get(rows * tile);
                int n0 = (int)((long)g.Batch * part / parts), n1 = (int)((long)g.Batch * (part + 1) / parts);
                for (int n = n0; n < n1; n++)
                {
                    float* xBlk = (float*)xp + ((long)n * g.InChannels + grp * cinG + ci0) * hw;
                    float* dyImg = (float*)dyp + ((long)n * g.OutChannels + grp * coutG) * ohw;
                    for (int c0 = 0; c0 < ohw; c0 += tile)
                    {
                        int cols = Math.Min(tile, ohw - c0);
                        var a = new ReadOnlySpan<float>(dyImg + c0, (coutG - 1) * ohw + cols);
                        // A partial starts at its part's first product (beta 0); dw itself accumulates.
                        float beta = part > 0 && n == n0 && c0 == 0 ? 0f : 1f;
                        if (col is null)
                        {
                            Gemm.Sgemm(false, true, coutG, rows, cols, 1f, a, ohw,
                                new ReadOnlySpan<float>(xBlk + c0, (rows - 1) * hw + cols), hw, beta, c, K, gemmThreads);
                        }
                        else
                        {
                            Im2Col.Unfold(g, new ReadOnlySpan<float>(xBlk, nc * hw), nc, c0, cols, col);
                            Gemm.Sgemm(false, true, coutG, rows, cols, 1f, a, ohw, col, cols, beta, c, K, gemmThreads);
                        }
                    }
                }
            }, gemmThreads == 1 ? 0 : 1);
        }
        if (partials is null) return;
        var dwAll = new Span<float>(dw, (int)dwLength);
        for (int part = 1; part < parts; part++)
            TensorPrimitives.Add(dwAll, partials.AsSpan((int)((part - 1) * dwLength), (int)dwLength), dwAll);
        System.Buffers.ArrayPool<float>.Shared.Return(partials);
    }

    /// <summary>Least weight-gradient work items: below it the batch is split too (4 parts for a 3-channel stem).</summary>
    private const int MinWeightItems = 4;

    /// <summary>dbias[oc] += sum over batch and space of dy[n, oc]; one work item per channel, batch in order.</summary>
    private static unsafe void BiasGradient(ConvGeometry g, float* dy, float* dbias)
    {
        int ohw = g.OutHeight * g.OutWidth, cout = g.OutChannels;
        nint dyp = (nint)dy, dbp = (nint)dbias;
        Parallelism.For(cout, oc =>
        {
            float s = 0;
            for (int n = 0; n < g.Batch; n++)
                s += TensorPrimitives.Sum(new ReadOnlySpan<float>((float*)dyp + ((long)n * cout + oc) * ohw, ohw));
            ((float*)dbp)[oc] += s;
        }, cout * (long)g.Batch * ohw >= 1 << 16 ? 0 : 1);
    }
}
