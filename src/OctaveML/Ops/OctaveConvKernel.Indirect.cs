using OctaveML.Blas;

namespace OctaveML.Ops;

/// <summary>
/// The octave convolution's path for stride-1 "same" layers on small maps: no im2col matrix. Each group of
/// images' source buffers is copied once into <see cref="PaddedPlanes"/>, and every op is one
/// <see cref="GemmIndirect"/> product whose K rows point into them. Backward fills the output gradients into
/// the same layout: the weight gradients are dot products of them with the same rows, the input gradients
/// the adjoint product (weights transposed per tap, rows shifted the mirrored way), so there is no col2im
/// either. Same ops, fusion, groups of images and chunked weight-gradient partials as the im2col path.
/// </summary>
internal sealed unsafe partial class OctaveConvKernel
{
    /// <summary>Widest map (the high one) this path is chosen for on its own: measured on 14-28 px maps.</summary>
    private const int IndirectMaxWidth = 32;

    /// <summary>
    /// Most channels of any buffer (sources and outputs): the path wins where im2col costs as much as the product
    /// (OctResNet-20's 8-16 + 8-16 channels: step 1.28x faster); with 64+ channels (OctResNet-50's 28 and 14 px
    /// stages) the packed GEMM's reuse wins and the step was 1.1x slower.
    /// </summary>
    private const int IndirectMaxChannels = 32;

    /// <summary>Narrowest high map: at 7 px the padded rows and the gaps between images waste half the product.</summary>
    private const int IndirectMinWidth = 14;

    private const int PadHi = 0, PadLo = 1, PadDyh = 2, PadDyl = 3, PadDz = 4, OutHi = 5, OutLo = 6, OutZ = 7, Adjoint = 8, PinnedSlots = 9;

    // Pinned per-thread buffers: the row tables hold pointers into them.
    [ThreadStatic] private static float[]?[]? t_pinned;
    [ThreadStatic] private static nint[]? t_rows;

    private static float* Pinned(int slot, long floats)
    {
        var slots = t_pinned ??= new float[PinnedSlots][];
        var b = slots[slot];
        if (b is null || b.Length < floats)
            slots[slot] = b = GC.AllocateUninitializedArray<float>(checked((int)Math.Max(floats, (long)(b?.Length ?? 0) * 3 / 2)), pinned: true);
        fixed (float* p = b) return p; // pinned-heap arrays never move
    }

    private static float** RowTables(int count)
    {
        var t = t_rows;
        if (t is null || t.Length < count) t_rows = t = GC.AllocateUninitializedArray<nint>(count, pinned: true);
        fixed (nint* p = t) return (float**)p;
    }

    /// <summary>Whether a layer takes this path when the caller does not force it.</summary>
    private bool IndirectByDefault(in OctaveConvGeometry g) =>
        Gemm.BestKernel == GemmKernel.Avx2 && g.HiW >= IndirectMinWidth && g.HiW <= IndirectMaxWidth
        && Math.Max(Math.Max(_cHi, _cLo), Math.Max(g.HighOut, g.LowOut)) <= IndirectMaxChannels;

    /// <summary>Whether this layer can run on the path at all.</summary>
    private bool IndirectApplies(in OctaveConvGeometry g) =>
        GemmIndirect.IsSupported && PaddedPlanes.Applies(g.Kernel, g.Stride, g.Padding, g.Dilation) && !_batchMode
        && _ops.Count > 0 && _ops.All(o => o.Groups == 1);

    private PaddedPlanes Layout(Src src, int nb)
    {
        var g = _g;
        return src == Src.Hi
            ? new PaddedPlanes(nb, g.HiH, g.HiW, g.Kernel, g.Padding, g.Dilation)
            : new PaddedPlanes(nb, g.LoH, g.LoW, g.Kernel, g.Padding, g.Dilation);
    }

    /// <summary>
    /// Images [n0, n0 + nb)'s source buffers in the padded layout (this thread's buffer for the source), and
    /// <paramref name="rows"/> set to the convolution's K rows in it.
    /// </summary>
    private void FillSource(Src src, int n0, int nb, in PaddedPlanes layout, float** rows)
    {
        bool hi = src == Src.Hi;
        int c = hi ? _cHi : _cLo;
        float* buffer = Pinned(hi ? PadHi : PadLo, (long)c * layout.ChannelStride);
        layout.Clear(buffer, c);
        for (int i = 0; i < nb; i++)
            fixed (float* image = hi ? HiImage(n0 + i) : LoImage(n0 + i))
                layout.FillImage(i, image, hi ? HiPlane : LoPlane, c, buffer);
        layout.TapRows(buffer, c, rows);
    }

    /// <summary>Images [n0, n0 + nb) of a [batch, channels, p] buffer in the padded layout (cleared first).</summary>
    private static void FillImages(ArraySegment<float> all, int n0, int nb, int channels, int p, in PaddedPlanes layout, float* buffer)
    {
        layout.Clear(buffer, channels);
        for (int i = 0; i < nb; i++)
            fixed (float* image = ImageOf(all, n0 + i, channels, p))
                layout.FillImage(i, image, p, channels, buffer);
    }

    /// <summary>Forward of images [n0, n0 + nb) on the indirect path (see <see cref="ForwardGroup"/>).</summary>
    private void ForwardGroupIndirect(int n0, int nb, float[][] weights, ArraySegment<float> yhAll, ArraySegment<float> ylAll)
    {
        var g = _g;
        for (int i = 0; i < nb; i++) BuildInputs(n0 + i);
        int pHi = PHi, pLo = PLo, wLo = nb * pLo;
        bool wroteYh = false, wroteYl = false;
        float** rows = RowTables(Math.Max(_cHi, _cLo) * _kk);
        if (NeedHi)
        {
            var hp = Layout(Src.Hi, nb);
            FillSource(Src.Hi, n0, nb, hp, rows);
            float* result = Pinned(OutHi, (long)g.HighOut * hp.Columns);
            foreach (var op in _ops)
            {
                if (op.Src != Src.Hi) continue;
                fixed (float* w = OpWeights(op, weights))
                    GemmIndirect.Multiply(op.Cout, hp.Columns, op.Cin * _kk, w, op.Cin * _kk, rows + op.Off * _kk, wroteYh ? 1f : 0f, result, hp.Columns);
                wroteYh = true;
            }
            if (wroteYh)
                for (int i = 0; i < nb; i++)
                    fixed (float* y = ImageOf(yhAll, n0 + i, g.HighOut, pHi))
                        hp.ExtractImage(i, result, hp.Columns, g.HighOut, y, pHi);
        }
        Span<float> z = Span<float>.Empty;
        if (NeedLo)
        {
            var lp = Layout(Src.Lo, nb);
            FillSource(Src.Lo, n0, nb, lp, rows);
            float* result = Pinned(OutLo, (long)g.LowOut * lp.Columns);
            foreach (var op in _ops)
            {
                if (op.Src != Src.Lo) continue;
                bool toYl = op.Dst == Dst.Yl;
                float* c = toYl ? result : Pinned(OutZ, (long)op.Cout * lp.Columns);
                fixed (float* w = OpWeights(op, weights))
                    GemmIndirect.Multiply(op.Cout, lp.Columns, op.Cin * _kk, w, op.Cin * _kk, rows + op.Off * _kk, toYl && wroteYl ? 1f : 0f, c, lp.Columns);
                if (toYl)
                {
                    wroteYl = true;
                    continue;
                }
                // The l2h output at low resolution, images side by side as the upsampling below reads it.
                z = Scratch(Z, (long)op.Cout * wLo).AsSpan(0, op.Cout * wLo);
                fixed (float* zp = z)
                    for (int i = 0; i < nb; i++) lp.ExtractImage(i, c, lp.Columns, op.Cout, zp + i * pLo, wLo);
            }
            if (wroteYl)
                for (int i = 0; i < nb; i++)
                    fixed (float* y = ImageOf(ylAll, n0 + i, g.LowOut, pLo))
                        lp.ExtractImage(i, result, lp.Columns, g.LowOut, y, pLo);
        }
        for (int i = 0; i < nb; i++)
        {
            Span<float> yh = ImageOf(yhAll, n0 + i, g.HighOut, pHi);
            if (!wroteYh) yh.Clear();
            if (!wroteYl && ylAll.Count > 0) ImageOf(ylAll, n0 + i, g.LowOut, pLo).Clear();
            if (!z.IsEmpty) OctaveResample.UpsampleAdd(z.Slice(i * pLo), g.HighOut, g.OutLoH, g.OutLoW, yh, g.OutHiH, g.OutHiW, wLo);
        }
    }

    /// <summary>Backward of images [n0, n0 + nb) on the indirect path (see <see cref="BackwardGroup"/>).</summary>
    private void BackwardGroupIndirect(int chunk, bool firstGroup, int n0, int nb, ArraySegment<float> dyhAll, ArraySegment<float> dylAll,
        float[][] weights, ArraySegment<float> dxhAll, ArraySegment<float> dxlAll)
    {
        var g = _g;
        for (int i = 0; i < nb; i++) BuildInputs(n0 + i);
        int pHi = PHi, pLo = PLo, wLo = nb * pLo;
        var hp = Layout(Src.Hi, nb);
        var lp = Layout(Src.Lo, nb);
        // The output gradients in the padded layout of the map they live on.
        float* dYh = null, dYl = null, dZ = null;
        if (_yhWritten)
        {
            dYh = Pinned(PadDyh, (long)g.HighOut * hp.ChannelStride);
            FillImages(dyhAll, n0, nb, g.HighOut, pHi, hp, dYh);
        }
        if (_ylWritten)
        {
            dYl = Pinned(PadDyl, (long)g.LowOut * lp.ChannelStride);
            FillImages(dylAll, n0, nb, g.LowOut, pLo, lp, dYl);
        }
        if (HasZ)
        {
            float[] dz = Scratch(DZ, (long)g.HighOut * wLo);
            for (int i = 0; i < nb; i++)
                OctaveResample.UpsampleBackward(ImageOf(dyhAll, n0 + i, g.HighOut, pHi), g.HighOut, g.OutHiH, g.OutHiW, dz.AsSpan(i * pLo), g.OutLoH, g.OutLoW, wLo);
            dZ = Pinned(PadDz, (long)g.HighOut * lp.ChannelStride);
            lp.Clear(dZ, g.HighOut);
            fixed (float* dzp = dz)
                for (int i = 0; i < nb; i++) lp.FillImage(i, dzp + i * pLo, wLo, g.HighOut, dZ);
        }
        int maxC = Math.Max(Math.Max(_cHi, _cLo), Math.Max(g.HighOut, g.LowOut));
        float** rows = RowTables(2 * maxC * _kk);
        float** adjoint = rows + maxC * _kk;
        if (NeedHi) BackwardSourceIndirect(Src.Hi, hp, chunk, firstGroup, n0, nb, dYh, dYl, dZ, weights, rows, adjoint, dxhAll, dxlAll);
        if (NeedLo) BackwardSourceIndirect(Src.Lo, lp, chunk, firstGroup, n0, nb, dYh, dYl, dZ, weights, rows, adjoint, dxhAll, dxlAll);
        for (int i = 0; i < nb; i++) Route(n0 + i, i, dxhAll, dxlAll);
    }

    /// <summary>Weight gradients of the ops reading <paramref name="src"/> and its source-buffer gradients (overwritten).</summary>
    private void BackwardSourceIndirect(Src src, in PaddedPlanes layout, int chunk, bool firstGroup, int n0, int nb, float* dYh, float* dYl, float* dZ,
        float[][] weights, float** rows, float** adjoint, ArraySegment<float> dxhAll, ArraySegment<float> dxlAll)
    {
        bool hi = src == Src.Hi;
        int c = hi ? _cHi : _cLo, cols = layout.Columns, split = hi ? _hiXOff : _loXOff;
        FillSource(src, n0, nb, layout, rows);
        float* dSrc = Pinned(hi ? OutHi : OutLo, (long)c * cols);
        bool written0 = false, written1 = false;
        foreach (var op in _ops)
        {
            if (op.Src != src) continue;
            float* d = op.Dst switch { Dst.Yh => dYh, Dst.Yl => dYl, _ => dZ };
            int kg = op.Cin * _kk, ka = op.Cout * _kk;
            // dW[o, (ci, tap)] = sum over pixels of dy[o] times the source row (ci, tap).
            fixed (float* dw = Partial(op, chunk))
                GemmIndirect.Dots(op.Cout, kg, cols, layout.OutputView(d, 0), layout.ChannelStride, rows + op.Off * _kk, firstGroup ? 0f : 1f, dw, kg);
            // dx[ci] = sum over (o, tap) of w[o, ci, tap] times dy[o] shifted the mirrored way: A = w transposed per tap.
            float* at = Pinned(Adjoint, (long)op.Cin * ka);
            fixed (float* w = OpWeights(op, weights))
                for (int o = 0; o < op.Cout; o++)
                    for (int ci = 0; ci < op.Cin; ci++)
                        for (int t = 0; t < _kk; t++) at[(long)ci * ka + o * _kk + t] = w[(long)o * kg + ci * _kk + t];
            layout.AdjointTapRows(d, op.Cout, adjoint);
            // The op order guarantees the segments an op covers are either all written already or none is.
            bool first = op.Off < split ? !written0 : !written1;
            GemmIndirect.Multiply(op.Cin, cols, ka, at, ka, adjoint, first ? 0f : 1f, dSrc + (long)op.Off * cols, cols);
            if (op.Off < split) written0 = true;
            if (op.Off + op.Cin > split) written1 = true;
        }
        if (!written0 && split > 0) new Span<float>(dSrc, split * cols).Clear();
        if (!written1 && c > split) new Span<float>(dSrc + (long)split * cols, (c - split) * cols).Clear();
        int plane = hi ? HiPlane : LoPlane;
        for (int i = 0; i < nb; i++)
            fixed (float* dIn = SourceGrad(src, n0 + i, i, dxhAll, dxlAll))
                layout.ExtractImage(i, dSrc, cols, c, dIn, plane);
    }
}
