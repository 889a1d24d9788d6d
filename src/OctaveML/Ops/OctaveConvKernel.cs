using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using OctaveML.Blas;
using OctaveML.Threading;

namespace OctaveML.Ops;

/// <summary>Which of the four octave paths exist and their group counts (0 = the path is absent).</summary>
internal readonly record struct OctavePaths(int GroupsH2H, int GroupsL2H, int GroupsH2L, int GroupsL2L)
{
    public bool H2H => GroupsH2H > 0;
    public bool L2H => GroupsL2H > 0;
    public bool H2L => GroupsH2L > 0;
    public bool L2L => GroupsL2L > 0;
}

/// <summary>
/// Shape of an octave convolution: batch, the high input's spatial size, channel splits, a square
/// kernel with padding and dilation, stride 1 or 2.
/// </summary>
internal readonly record struct OctaveConvGeometry(int Batch, int Height, int Width, int HighIn, int LowIn,
    int HighOut, int LowOut, int Kernel, int Stride, int Padding, int Dilation, OctavePaths Paths)
{
    /// <summary>Spatial size the high-resolution convolutions read (the input pooled once at stride 2).</summary>
    public int HiH => Stride == 1 ? Height : (Height + 1) / 2;
    public int HiW => Stride == 1 ? Width : (Width + 1) / 2;
    /// <summary>Spatial size the low-resolution convolutions read.</summary>
    public int LoH => (HiH + 1) / 2;
    public int LoW => (HiW + 1) / 2;
    /// <summary>Spatial size of the low input x_l.</summary>
    public int XlH => (Height + 1) / 2;
    public int XlW => (Width + 1) / 2;
    private int Reach => Dilation * (Kernel - 1) - 2 * Padding;
    public int OutHiH => HiH - Reach;
    public int OutHiW => HiW - Reach;
    public int OutLoH => LoH - Reach;
    public int OutLoW => LoW - Reach;
}

/// <summary>
/// The fused octave convolution (forward and backward) over flat NCHW buffers. Instead of the
/// reference's four convolutions plus separate pooling, upsampling and adds, it convolves two
/// channel concatenations, one per resolution:
/// <list type="bullet">
/// <item>low: [pool(x_h), x_l] (stride 1) or pool([pool(x_h), x_l]) (stride 2); h2l and l2l are ONE
/// GEMM over it with their weights packed side by side (K = all input channels);</item>
/// <item>high: x_h (stride 1) or [pool(x_h), x_l] (stride 2); at stride 2 h2h and l2h are one GEMM.
/// At stride 1, l2h reads the x_l rows of the low im2col buffer (no second im2col) and its result is
/// upsampled, cropped and added into the h2h output in one pass.</item>
/// </list>
/// The im2col and the pooled/concatenated buffers are shared by all paths of a resolution; packing
/// two paths' weights into one GEMM runs as fast as two K-split GEMMs into one output, in one call and
/// one pass over C. Grouped paths run one GEMM per group on row ranges of the same buffers;
/// depthwise layers run each path over the whole batch through <see cref="Conv2dKernel"/>. Small layers on
/// small maps (OctResNet-20's deeper stages) put a group of images side by side in each GEMM, as
/// <see cref="Conv2dKernel"/> does, so that its tiles are not mostly ragged edges; bigger layers run one
/// image per GEMM and reuse the packed weights across images (<see cref="GemmACache"/>). Groups of images
/// are split over threads in fixed contiguous chunks;
/// weight gradients are reduced over the chunks in order, so results are deterministic for a given
/// <see cref="Parallelism.Threads"/>.
/// </summary>
internal sealed partial class OctaveConvKernel
{
    private enum Src { Hi, Lo }
    private enum Dst { Yh, Yl, Z }

    /// <summary>One GEMM path: input channels [Off, Off + Cin) of a source buffer, grouped, into a destination.
    /// A fused path packs two parameters' weights side by side (groups 1).</summary>
    private sealed class Op
    {
        public Src Src; public int Off, Cin, Cout, Groups; public Dst Dst;
        public int A = -1, B = -1;      // path indices (0 h2h, 1 l2h, 2 h2l, 3 l2l); B >= 0 when fused
        public int CinA;                // input channels of A when fused
        public int PackedOff = -1;      // offset of the packed weights (fused) in the call scratch
        public int PartialOff;          // offset of this op's weight-gradient partial within a chunk's block
    }

    private readonly OctaveConvGeometry _g;
    private readonly int _kk;
    private readonly int _cHi, _hiXOff;      // high buffer channels; x_l part offset (stride 2 with l2h)
    private readonly bool _hiHasX;
    private readonly int _cLo, _loXOff;      // low buffer channels; x_l part offset
    private readonly bool _loHasPool, _loHasX;
    private readonly bool _hiIsXh, _loIsXl;  // the buffer is the input itself (no copy)
    private readonly bool _direct;           // 1x1, no padding: im2col is the identity
    private readonly List<Op> _ops = new();
    private readonly int _chunks;
    // Images per GEMM (1 for large maps) and the number of such groups; chunks are runs of whole groups.
    private readonly int _group, _groups;
    private readonly bool _yhWritten, _ylWritten;
    // A 1x1 high path runs one image per GEMM when every op's weights stay packed in GemmACache across images.
    private readonly bool _hiPerImage;
    // Depthwise (and any layer whose ops are all grouped convolutions of a whole source buffer): each op
    // runs once over the batch through Conv2dKernel (direct SIMD depthwise kernel) instead of per-image GEMMs.
    private readonly bool _batchMode;
    private float[] _dHiAll = [], _dLoAll = [];

    // Whole-batch source buffers, in batch mode only; otherwise each image's pooled/concatenated sources
    // are built in per-thread scratch, in forward and again in backward (a cheap pooling pass that saves
    // keeping a copy of every layer's input until backward).
    private float[] _hiIn = [], _loIn = [];
    private ArraySegment<float> _xh, _xl;
    private bool _forwardRan;
    // Per-thread scratch shared by every octave layer (im2col matrices, their gradients, the l2h output
    // and its gradient, per-image source gradients): memory scales with threads, not with layers.
    private const int ColHi = 0, ColLo = 1, Z = 2, DcolHi = 3, DcolLo = 4, DZ = 5, DHi = 6, DLo = 7, InHi = 8, InLo = 9,
        YGroup = 10, DyHGroup = 11, DyLGroup = 12, Slots = 13;
    [ThreadStatic] private static float[][]? t_scratch;

    private static float[] Scratch(int slot, long length)
    {
        var slots = t_scratch ??= new float[Slots][];
        var b = slots[slot];
        if (b is null || b.Length < length)
            slots[slot] = b = GC.AllocateUninitializedArray<float>((int)Math.Min(Array.MaxLength, Math.Max(length, (long)(b?.Length ?? 0) * 3 / 2)));
        return b;
    }

    public OctaveConvGeometry Geometry => _g;

    /// <summary>Floats this layer's kernel holds between calls (pooled inputs, their gradients, weight-gradient partials).</summary>
    public long HeldFloats => (long)_hiIn.Length + _loIn.Length + _dHiAll.Length + _dLoAll.Length;

    // Packed fused weights and the per-chunk weight-gradient partials live only during one Forward or
    // Backward call, so they sit in the calling thread's scratch, shared by every layer, instead of
    // costing each layer a copy of its weights per thread: [packed ops][chunk 0 partials][chunk 1 ...].
    [ThreadStatic] private static float[]? t_call;
    private readonly int _partialBase, _partialStride, _callFloats;
    private float[] _call = [];

    private float[] CallScratch()
    {
        var b = t_call;
        if (b is null || b.Length < _callFloats) t_call = b = new float[_callFloats];
        return b;
    }

    private Span<float> Partial(Op op, int chunk) => _call.AsSpan(_partialBase + chunk * _partialStride + op.PartialOff, WeightLength(op));

    /// <param name="g">The layer's shape.</param>
    /// <param name="allowFusion">Pack two paths reading the same buffer into one GEMM (tests compare both ways).</param>
    /// <param name="imagesPerGroup">Images side by side in one GEMM; null chooses from the map size (tests force it).</param>
    /// <param name="weightsFitCache">Whether every op's packed weights stay in <see cref="GemmACache"/>; null decides
    /// from their size (tests force false to group 1x1 high maps as the largest layers do).</param>
    /// <param name="indirect">Run stride-1 "same" layers without im2col (OctaveConvKernel.Indirect.cs); null decides from
    /// the CPU and the map size (tests force both ways). Ignored where the path does not apply.</param>
    /// <param name="tileColumns">Use a big single-image im2col matrix a tile of columns at a time (tests compare with false).</param>
    public OctaveConvKernel(in OctaveConvGeometry g, bool allowFusion = true, int? imagesPerGroup = null, bool? weightsFitCache = null, bool? indirect = null,
        bool tileColumns = true)
    {
        _g = g;
        _tileColumns = tileColumns;
        var p = g.Paths;
        _kk = g.Kernel * g.Kernel;
        _direct = g.Kernel == 1 && g.Padding == 0;
        int hin = g.HighIn, lin = g.LowIn;

        // Which ops exist (a path with no input or no output channels does nothing).
        bool hasH2H = p.H2H && hin > 0 && g.HighOut > 0, hasL2H = p.L2H && lin > 0 && g.HighOut > 0;
        bool hasH2L = p.H2L && hin > 0 && g.LowOut > 0, hasL2L = p.L2L && lin > 0 && g.LowOut > 0;
        _hiIsXh = g.Stride == 1;
        _hiHasX = g.Stride == 2 && hasL2H;
        _hiXOff = hin;
        _cHi = hin + (_hiHasX ? lin : 0);

        _loHasPool = hasH2L;
        _loHasX = hasL2L || (g.Stride == 1 && hasL2H);
        _loXOff = _loHasPool ? hin : 0;
        _cLo = (_loHasPool ? hin : 0) + (_loHasX ? lin : 0);
        _loIsXl = g.Stride == 1 && !_loHasPool && _loHasX;

        Op? h2h = null, l2h = null, h2l = null, l2l = null;
        if (hasH2H) h2h = new Op { Src = Src.Hi, Off = 0, Cin = hin, Cout = g.HighOut, Groups = p.GroupsH2H, Dst = Dst.Yh, A = 0 };
        if (hasL2H)
            l2h = g.Stride == 2
                ? new Op { Src = Src.Hi, Off = _hiXOff, Cin = lin, Cout = g.HighOut, Groups = p.GroupsL2H, Dst = Dst.Yh, A = 1 }
                : new Op { Src = Src.Lo, Off = _loXOff, Cin = lin, Cout = g.HighOut, Groups = p.GroupsL2H, Dst = Dst.Z, A = 1 };
        if (hasH2L) h2l = new Op { Src = Src.Lo, Off = 0, Cin = hin, Cout = g.LowOut, Groups = p.GroupsH2L, Dst = Dst.Yl, A = 2 };
        if (hasL2L) l2l = new Op { Src = Src.Lo, Off = _loXOff, Cin = lin, Cout = g.LowOut, Groups = p.GroupsL2L, Dst = Dst.Yl, A = 3 };

        AddPair(h2h, g.Stride == 2 ? l2h : null, allowFusion);
        AddPair(h2l, l2l, allowFusion);
        // Last: at stride 1 it accumulates into the x_l rows of the low dcol the pair above wrote.
        if (g.Stride == 1 && l2h is not null) _ops.Add(l2h);
        _yhWritten = _ops.Any(o => o.Dst == Dst.Yh);
        _ylWritten = _ops.Any(o => o.Dst == Dst.Yl);
        NeedHi = _ops.Any(o => o.Src == Src.Hi);
        NeedLo = _ops.Any(o => o.Src == Src.Lo);
        HasZ = _ops.Any(o => o.Dst == Dst.Z);

        bool weightsCached = weightsFitCache ?? _ops.All(o => GemmACache.Keeps(o.Cout / o.Groups, o.Cin / o.Groups * _kk));
        _hiPerImage = _direct && weightsCached;
        _batchMode = _ops.Count > 0 && _ops.All(o => o.Groups > 1 && o.B < 0 && o.Dst != Dst.Z && o.Off == 0 && o.Cin == (o.Src == Src.Hi ? _cHi : _cLo));
        int threads = Parallelism.Threads;
        _group = _batchMode ? 1 : Math.Clamp(imagesPerGroup ?? GroupSize(g, threads, weightsCached), 1, Math.Max(1, g.Batch));
        _groups = (g.Batch + _group - 1) / _group;
        _chunks = Math.Max(1, Math.Min(threads, _batchMode ? g.Batch : _groups));
        int off = 0;
        foreach (var op in _ops)
            if (op.B >= 0) { op.PackedOff = off; off += WeightLength(op); }
        _partialBase = off;
        foreach (var op in _ops) { op.PartialOff = _partialStride; _partialStride += WeightLength(op); }
        _callFloats = _partialBase + _chunks * _partialStride;
        // Single-threaded products: by default only where the images already spread over every thread.
        _indirect = IndirectApplies(g) && (indirect ?? (IndirectByDefault(g) && _chunks == threads));
    }

    private readonly bool _indirect;
    // Big single-image im2col matrices are used a tile of columns at a time (tests turn it off to compare).
    private readonly bool _tileColumns;

    /// <summary>Columns a grouped GEMM over the smaller map should get at least (NR-wide tiles stop being mostly ragged edges).</summary>
    private const int GroupColumns = 256;

    /// <summary>
    /// Layers with at least this many multiply-adds per image run one image per GEMM, if their packed weights
    /// stay in <see cref="GemmACache"/>: their GEMMs are big enough alone, and the gather and scatter around
    /// grouped GEMMs cost more than they buy (measured 0.84-0.93x on OctResNet-50's 14 px layers, 50M MACs;
    /// 1.3x on OctResNet-20's 14 px layers, 0.8M). Weights too big to keep packed (ResNet-50's last stage,
    /// 2.4M floats at 7x7) would be packed again for every image, so those layers group images anyway.
    /// </summary>
    private const long GroupMaxMacs = 1 << 22;

    /// <summary>Largest group buffer (im2col matrix, gathered outputs), in floats: 4 MB, about what one image of OctResNet-50's first stage needs alone.</summary>
    private const long GroupFloats = 1 << 20;

    /// <summary>
    /// Images per GEMM: enough for the smaller output map (the low one when a low path exists) to give about
    /// <see cref="GroupColumns"/> columns (1 from 16 x 16 up), but never so many that some thread gets no
    /// group or that a group buffer outgrows <see cref="GroupFloats"/> (each thread keeps its buffers).
    /// </summary>
    private int GroupSize(in OctaveConvGeometry g, int threads, bool weightsCached)
    {
        int pHi = Math.Max(1, PHi), pLo = Math.Max(1, PLo);
        int pSmall = NeedLo ? pLo : pHi;
        int perThread = (g.Batch + threads - 1) / Math.Max(1, threads);
        long perImage = Math.Max(Math.Max((long)_cHi * _kk * pHi, (long)_cLo * _kk * pLo),
            Math.Max((long)g.HighOut * pHi, (long)Math.Max(g.LowOut, g.HighOut) * pLo));
        long byMemory = Math.Max(1, GroupFloats / Math.Max(1, perImage));
        long macs = 0;
        foreach (var op in _ops) macs += (long)WeightLength(op) * (op.Src == Src.Hi ? pHi : pLo);
        if (macs >= GroupMaxMacs && weightsCached) return 1;
        int size = (int)Math.Clamp(Math.Min(GroupColumns / pSmall, byMemory), 1, Math.Max(1, perThread));
        // Equal groups per thread: 8 images a thread in groups of 5 would give one thread 10 and the other 6.
        int groupsPerThread = (perThread + size - 1) / size;
        return (perThread + groupsPerThread - 1) / groupsPerThread;
    }

    private void AddPair(Op? a, Op? b, bool allowFusion)
    {
        if (a is not null && b is not null && allowFusion && a.Groups == 1 && b.Groups == 1 && a.Src == b.Src && a.Dst == b.Dst && a.Off + a.Cin == b.Off)
        {
            _ops.Add(new Op { Src = a.Src, Off = a.Off, Cin = a.Cin + b.Cin, Cout = a.Cout, Groups = 1, Dst = a.Dst, A = a.A, B = b.A, CinA = a.Cin });
            return;
        }
        if (a is not null) _ops.Add(a);
        if (b is not null) _ops.Add(b);
    }

    private int WeightLength(Op op) => op.Cout * (op.Cin / op.Groups) * _kk;

    private static float[] Ensure(ref float[] buffer, long length)
    {
        if (buffer.Length < length) buffer = new float[length];
        return buffer;
    }

    private int PHi => _g.OutHiH * _g.OutHiW;
    private int PLo => _g.OutLoH * _g.OutLoW;
    private int HiPlane => _g.HiH * _g.HiW;
    private int LoPlane => _g.LoH * _g.LoW;
    private int XhPlane => _g.Height * _g.Width;
    private int XlPlane => _g.XlH * _g.XlW;
    // Fixed at construction: asked per image, where a LINQ query would allocate.
    private bool NeedHi { get; }
    private bool NeedLo { get; }
    private bool HasZ { get; }

    /// <summary>
    /// Forward: y_h [N, HighOut, OutHiH, OutHiW] and y_l [N, LowOut, OutLoH, OutLoW] (y_l may be empty when
    /// LowOut is 0 or no path writes it). weights[i] for path i (h2h, l2h, h2l, l2l), empty when absent.
    /// Buffers are segments (views into a network's planned memory); x_l is default when absent.
    /// </summary>
    public void Forward(ArraySegment<float> xh, ArraySegment<float> xl, float[][] weights, ArraySegment<float> yh, ArraySegment<float> yl)
    {
        var g = _g;
        _xh = xh; _xl = xl;
        _forwardRan = true;
        _call = CallScratch();
        foreach (var op in _ops) if (op.B >= 0) Pack(op, weights);
        int threads = _chunks > 1 ? 1 : 0;
        if (_batchMode)
        {
            if (!_hiIsXh) Ensure(ref _hiIn, (long)g.Batch * _cHi * HiPlane);
            if (NeedLo && !_loIsXl) Ensure(ref _loIn, (long)g.Batch * _cLo * LoPlane);
            Parallelism.ForChunks(g.Batch, _chunks, (chunk, start, end) =>
            {
                for (int n = start; n < end; n++) BuildInputs(n);
            });
            bool wroteYh = false, wroteYl = false;
            foreach (var op in _ops)
            {
                var cg = BatchGeometry(op);
                bool toYh = op.Dst == Dst.Yh;
                Conv2dKernel.Forward(cg, SourceAll(op.Src), weights[op.A], [], toYh ? yh : yl, toYh ? wroteYh : wroteYl);
                if (toYh) wroteYh = true; else wroteYl = true;
            }
            if (!wroteYh) yh.AsSpan().Clear();
            if (!wroteYl) yl.AsSpan().Clear();
            return;
        }
        Parallelism.ForChunks(_groups, _chunks, (chunk, start, end) =>
        {
            // The weights are packed once per thread and call (GemmACache), not once per group of images.
            GemmACache.Forget();
            try
            {
                for (int gi = start; gi < end; gi++)
                {
                    int n0 = gi * _group, nb = Math.Min(_group, g.Batch - n0);
                    if (_indirect) ForwardGroupIndirect(n0, nb, weights, yh, yl);
                    else ForwardGroup(n0, nb, weights, yh, yl, threads);
                }
            }
            finally { GemmACache.Forget(); }
        });
    }

    private ConvGeometry BatchGeometry(Op op)
    {
        var g = _g;
        bool hi = op.Src == Src.Hi;
        return new ConvGeometry(g.Batch, op.Cin, hi ? g.HiH : g.LoH, hi ? g.HiW : g.LoW, op.Cout, g.Kernel, g.Kernel,
            1, g.Padding, g.Dilation, op.Groups);
    }

    private ReadOnlySpan<float> SourceAll(Src src) => src == Src.Hi
        ? (_hiIsXh ? _xh : _hiIn).AsSpan(0, _g.Batch * _cHi * HiPlane)
        : (_loIsXl ? _xl : _loIn).AsSpan(0, _g.Batch * _cLo * LoPlane);

    private void Pack(Op op, float[][] weights)
    {
        int ka = op.CinA * _kk, kb = (op.Cin - op.CinA) * _kk, k = ka + kb;
        float[] wa = weights[op.A], wb = weights[op.B], call = _call;
        // Split by output channel over the team: on the calling thread alone, packing is a quarter of an OctResNet-50 step's serial time.
        Chunked.ForPlanes(op.Cout, k, (o0, o1) =>
        {
            for (int o = o0; o < o1; o++)
            {
                wa.AsSpan(o * ka, ka).CopyTo(call.AsSpan(op.PackedOff + o * k));
                wb.AsSpan(o * kb, kb).CopyTo(call.AsSpan(op.PackedOff + o * k + ka));
            }
        });
    }

    private ReadOnlySpan<float> OpWeights(Op op, float[][] weights) => op.B >= 0 ? _call.AsSpan(op.PackedOff, WeightLength(op)) : weights[op.A];

    private void BuildInputs(int n)
    {
        var g = _g;
        if (!_hiIsXh)
        {
            Span<float> hi = HiBuffer(n);
            OctaveResample.Pool(_xh.AsSpan(n * g.HighIn * XhPlane, g.HighIn * XhPlane), g.HighIn, g.Height, g.Width, hi);
            if (_hiHasX) _xl.AsSpan(n * g.LowIn * XlPlane, g.LowIn * XlPlane).CopyTo(hi.Slice(_hiXOff * HiPlane));
        }
        if (NeedLo && !_loIsXl)
        {
            Span<float> lo = LoBuffer(n);
            if (_loHasPool)
            {
                if (g.Stride == 1)
                    OctaveResample.Pool(_xh.AsSpan(n * g.HighIn * XhPlane, g.HighIn * XhPlane), g.HighIn, g.Height, g.Width, lo);
                else
                    OctaveResample.Pool(HiBuffer(n).Slice(0, g.HighIn * HiPlane), g.HighIn, g.HiH, g.HiW, lo);
            }
            if (_loHasX)
            {
                ReadOnlySpan<float> x = _xl.AsSpan(n * g.LowIn * XlPlane, g.LowIn * XlPlane);
                if (g.Stride == 1) x.CopyTo(lo.Slice(_loXOff * LoPlane));
                else OctaveResample.Pool(x, g.LowIn, g.XlH, g.XlW, lo.Slice(_loXOff * LoPlane));
            }
        }
    }

    /// <summary>Where image n's built high source lives: its slice of the batch buffer, or its slot in this thread's group scratch.</summary>
    private Span<float> HiBuffer(int n) => _batchMode
        ? _hiIn.AsSpan(n * _cHi * HiPlane, _cHi * HiPlane)
        : Scratch(InHi, (long)_group * _cHi * HiPlane).AsSpan(n % _group * _cHi * HiPlane, _cHi * HiPlane);

    private Span<float> LoBuffer(int n) => _batchMode
        ? _loIn.AsSpan(n * _cLo * LoPlane, _cLo * LoPlane)
        : Scratch(InLo, (long)_group * _cLo * LoPlane).AsSpan(n % _group * _cLo * LoPlane, _cLo * LoPlane);

    private ReadOnlySpan<float> HiImage(int n) => _hiIsXh
        ? _xh.AsSpan(n * _g.HighIn * XhPlane, _cHi * HiPlane)
        : HiBuffer(n);

    private ReadOnlySpan<float> LoImage(int n) => _loIsXl
        ? _xl.AsSpan(n * _g.LowIn * XlPlane, _cLo * LoPlane)
        : LoBuffer(n);

    /// <summary>
    /// The im2col matrix of images [n0, n0 + nb)'s source buffers, side by side (row stride nb * output pixels);
    /// for a 1x1 convolution the buffer itself (one image) or its rows gathered side by side.
    /// </summary>
    private ReadOnlySpan<float> Columns(Src src, int n0, int nb)
    {
        var g = _g;
        bool hi = src == Src.Hi;
        int c = hi ? _cHi : _cLo, h = hi ? g.HiH : g.LoH, w = hi ? g.HiW : g.LoW;
        int oh = hi ? g.OutHiH : g.OutLoH, ow = hi ? g.OutHiW : g.OutLoW, p = oh * ow, width = nb * p;
        if (_direct && nb == 1) return hi ? HiImage(n0) : LoImage(n0);
        float[] col = Scratch(hi ? ColHi : ColLo, (long)c * _kk * width);
        for (int i = 0; i < nb; i++)
        {
            ReadOnlySpan<float> img = hi ? HiImage(n0 + i) : LoImage(n0 + i);
            if (_direct) Scatter(img, c, p, col, width, i);
            else OctaveResample.Im2Col(img, c, h, w, g.Kernel, g.Padding, g.Dilation, oh, ow, col.AsSpan(i * p), width);
        }
        return col.AsSpan(0, c * _kk * width);
    }

    /// <summary>
    /// Floats of one column tile (512 KB). One image's im2col matrix of a wide map (OctResNet-50's 3x3 layers at
    /// 56 px unfold 288 or 576 rows x 3136 columns, 3.6 or 7.2 MB) is built and used a tile of columns at a time,
    /// so each tile stays near the core from im2col through the products and col2im instead of going out to L3.
    /// Measured (bench octconv-ab, Zen 3, 2 threads), forward + backward: 32+32 channels at 56 px 1.09-1.26x, 64
    /// channels at 56 px 1.10-1.12x; on 28 px maps and below no gain or a loss (0.82-0.97x), so they stay whole.
    /// </summary>
    private const long ColumnTileFloats = 1 << 17;

    /// <summary>Least output pixels of one image for its im2col matrix to be tiled.</summary>
    private const int ColumnTileMinWidth = 2048;

    /// <summary>Columns per tile of a source's im2col matrix for a group of nb images: all of them, unless one image's matrix is too big.</summary>
    private int TileColumns(Src src, int nb)
    {
        bool hi = src == Src.Hi;
        int rows = (hi ? _cHi : _cLo) * _kk, width = nb * (hi ? PHi : PLo);
        if (_direct || nb > 1 || !_tileColumns || width < ColumnTileMinWidth || (long)rows * width <= ColumnTileFloats) return width;
        // Whole 48-column blocks (full 6 x 16 and 4 x 24 micro-tiles), evened out over the tiles.
        int cols = (int)Math.Max(48, ColumnTileFloats / rows / 48 * 48);
        int tiles = (width + cols - 1) / cols;
        cols = ((width + tiles - 1) / tiles + 47) / 48 * 48;
        return Math.Min(cols, width);
    }

    /// <summary>Whether one image's high and low im2col matrices are used in tiles of columns (for tests).</summary>
    internal (bool High, bool Low) TilesColumns => (NeedHi && !_indirect && _group == 1 && TileColumns(Src.Hi, 1) < PHi,
        NeedLo && !_indirect && _group == 1 && TileColumns(Src.Lo, 1) < PLo);

    /// <summary>
    /// The im2col columns [c0, c0 + cols) of images [n0, n0 + nb)'s source buffer and their row stride: the whole
    /// matrix (<see cref="Columns"/>) when they are all of its columns, else one image's tile (<see cref="ColumnTile"/>).
    /// </summary>
    private ReadOnlySpan<float> ColumnsOf(Src src, int n0, int nb, int c0, int cols, out int ld)
    {
        int width = nb * (src == Src.Hi ? PHi : PLo);
        if (cols == width)
        {
            ld = width;
            return Columns(src, n0, nb);
        }
        return ColumnTile(src, n0, c0, cols, out ld);
    }

    /// <summary>
    /// The im2col columns [c0, c0 + cols) of image n's source buffer, in this thread's scratch with row stride
    /// <paramref name="ld"/>: a whole number of cache lines, odd, so the rows of a tile fall in different L1 sets.
    /// </summary>
    private ReadOnlySpan<float> ColumnTile(Src src, int n, int c0, int cols, out int ld)
    {
        bool hi = src == Src.Hi;
        int c = hi ? _cHi : _cLo;
        ld = TileStride(cols);
        float[] col = Scratch(hi ? ColHi : ColLo, (long)c * _kk * ld);
        Im2Col.Unfold(SourceGeometry(src), hi ? HiImage(n) : LoImage(n), c, c0, cols, col, ld);
        return col.AsSpan(0, c * _kk * ld);
    }

    /// <summary>Row stride for a tile of <paramref name="cols"/> columns: whole 64-byte lines, an odd number of them.</summary>
    private static int TileStride(int cols)
    {
        int lines = (cols + 15) / 16;
        return (lines | 1) * 16;
    }

    /// <summary>A source buffer's convolution as a one-image <see cref="ConvGeometry"/> (for the column-range im2col and col2im).</summary>
    private ConvGeometry SourceGeometry(Src src)
    {
        var g = _g;
        bool hi = src == Src.Hi;
        int c = hi ? _cHi : _cLo;
        return new ConvGeometry(1, c, hi ? g.HiH : g.LoH, hi ? g.HiW : g.LoW, c, g.Kernel, g.Kernel, 1, g.Padding, g.Dilation);
    }

    /// <summary>Copies one image's [channels, p] planes into column block i of a [channels, ld] group matrix.</summary>
    private static void Scatter(ReadOnlySpan<float> image, int channels, int p, Span<float> group, int ld, int i)
    {
        for (int ch = 0; ch < channels; ch++) image.Slice(ch * p, p).CopyTo(group.Slice(ch * ld + i * p, p));
    }

    /// <summary>Copies column block i of a [channels, ld] group matrix into one image's [channels, p] planes.</summary>
    private static void Gather(ReadOnlySpan<float> group, int ld, int i, int channels, int p, Span<float> image)
    {
        for (int ch = 0; ch < channels; ch++) group.Slice(ch * ld + i * p, p).CopyTo(image.Slice(ch * p, p));
    }

    /// <summary>Image n's slice of a [batch, channels, p] buffer.</summary>
    private static Span<float> ImageOf(ArraySegment<float> all, int n, int channels, int p) => all.AsSpan(n * channels * p, channels * p);

    /// <summary>
    /// Forward of images [n0, n0 + nb): one GEMM per op over their columns side by side. With one image the
    /// GEMMs write its outputs in place; with several, into group scratch scattered to the images after.
    /// </summary>
    private void ForwardGroup(int n0, int nb, float[][] weights, ArraySegment<float> yhAll, ArraySegment<float> ylAll, int threads)
    {
        var g = _g;
        for (int i = 0; i < nb; i++) BuildInputs(n0 + i);
        int pHi = PHi, pLo = PLo, wHi = nb * pHi, wLo = nb * pLo;
        bool wide = nb > 1;
        bool wroteYh = false, wroteYl = false;
        if (NeedHi && wide && _hiPerImage)
        {
            // 1x1 on the high map: each image's buffer already is its B matrix, and the high map is 4x the low
            // one, so its GEMMs are wide enough alone; grouping would only add a gather and a scatter (unless
            // the weights are too big to stay packed across images).
            for (int i = 0; i < nb; i++)
            {
                ReadOnlySpan<float> col = Columns(Src.Hi, n0 + i, 1);
                Span<float> yh = ImageOf(yhAll, n0 + i, g.HighOut, pHi);
                bool wrote = false;
                foreach (var op in _ops)
                    if (op.Src == Src.Hi) { Gemm_Forward(op, OpWeights(op, weights), col, pHi, yh, wrote, threads); wrote = true; }
                wroteYh = wrote;
            }
        }
        else if (NeedHi)
        {
            Span<float> yh = wide ? Scratch(YGroup, (long)g.HighOut * wHi).AsSpan(0, g.HighOut * wHi) : ImageOf(yhAll, n0, g.HighOut, pHi);
            int tile = TileColumns(Src.Hi, nb);
            for (int c0 = 0; c0 < wHi; c0 += tile)
            {
                int cols = Math.Min(tile, wHi - c0);
                ReadOnlySpan<float> col = ColumnsOf(Src.Hi, n0, nb, c0, cols, out int ldb);
                bool wrote = false;
                foreach (var op in _ops)
                    if (op.Src == Src.Hi) { Gemm_Forward(op, OpWeights(op, weights), col, ldb, cols, yh.Slice(c0), wHi, wrote, threads); wrote = true; }
                wroteYh = wrote;
            }
            if (wide && wroteYh)
                for (int i = 0; i < nb; i++) Gather(yh, wHi, i, g.HighOut, pHi, ImageOf(yhAll, n0 + i, g.HighOut, pHi));
        }
        Span<float> z = Span<float>.Empty;
        if (NeedLo)
        {
            Span<float> yl = !_ylWritten ? Span<float>.Empty
                : wide ? Scratch(YGroup, (long)g.LowOut * wLo).AsSpan(0, g.LowOut * wLo) : ImageOf(ylAll, n0, g.LowOut, pLo);
            if (HasZ) z = Scratch(Z, (long)g.HighOut * wLo).AsSpan(0, g.HighOut * wLo);
            int tile = TileColumns(Src.Lo, nb);
            for (int c0 = 0; c0 < wLo; c0 += tile)
            {
                int cols = Math.Min(tile, wLo - c0);
                ReadOnlySpan<float> col = ColumnsOf(Src.Lo, n0, nb, c0, cols, out int ldb);
                bool wrote = false;
                foreach (var op in _ops)
                {
                    if (op.Src != Src.Lo) continue;
                    if (op.Dst == Dst.Yl) { Gemm_Forward(op, OpWeights(op, weights), col, ldb, cols, yl.Slice(c0), wLo, wrote, threads); wrote = true; }
                    else Gemm_Forward(op, OpWeights(op, weights), col, ldb, cols, z.Slice(c0), wLo, false, threads);
                }
                wroteYl = wrote;
            }
            if (wide && wroteYl)
                for (int i = 0; i < nb; i++) Gather(yl, wLo, i, g.LowOut, pLo, ImageOf(ylAll, n0 + i, g.LowOut, pLo));
        }
        for (int i = 0; i < nb; i++)
        {
            Span<float> yh = ImageOf(yhAll, n0 + i, g.HighOut, pHi);
            if (!wroteYh) yh.Clear();
            if (!wroteYl && ylAll.Count > 0) ImageOf(ylAll, n0 + i, g.LowOut, pLo).Clear();
            if (!z.IsEmpty) OctaveResample.UpsampleAdd(z.Slice(i * pLo), g.HighOut, g.OutLoH, g.OutLoW, yh, g.OutHiH, g.OutHiW, wLo);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Gemm_Forward(Op op, ReadOnlySpan<float> w, ReadOnlySpan<float> col, int p, Span<float> y, bool accumulate, int threads) =>
        Gemm_Forward(op, w, col, p, p, y, p, accumulate, threads);

    /// <summary>y[:, 0..n) (row stride ldc) = op's weights x the n columns of col (row stride ldb), or added to y.</summary>
    private void Gemm_Forward(Op op, ReadOnlySpan<float> w, ReadOnlySpan<float> col, int ldb, int n, Span<float> y, int ldc, bool accumulate, int threads)
    {
        int cinG = op.Cin / op.Groups, coutG = op.Cout / op.Groups, kg = cinG * _kk;
        for (int gi = 0; gi < op.Groups; gi++)
        {
            ReadOnlySpan<float> a = w.Slice(gi * coutG * kg), b = col.Slice((op.Off + gi * cinG) * _kk * ldb);
            Span<float> c = y.Slice(gi * coutG * ldc);
            // Single-threaded GEMMs (images spread over threads) reuse the packed weights across images.
            if (threads == 1) Gemm.SgemmConstantA(false, false, coutG, n, kg, 1f, a, kg, b, ldb, accumulate ? 1f : 0f, c, ldc);
            else Gemm.Sgemm(false, false, coutG, n, kg, 1f, a, kg, b, ldb, accumulate ? 1f : 0f, c, ldc, threads);
        }
    }

    /// <summary>
    /// Backward of the last <see cref="Forward"/> given its inputs x_h and x_l (the same values, possibly in
    /// other buffers): writes dx_h and dx_l (overwriting; dx_l default when x_l is absent) and adds the weight
    /// gradients into grads[i] for each present path i.
    /// </summary>
    public void Backward(ArraySegment<float> xh, ArraySegment<float> xl, ArraySegment<float> dyh, ArraySegment<float> dyl,
        float[][] weights, float[][] grads, ArraySegment<float> dxh, ArraySegment<float> dxl)
    {
        var g = _g;
        if (!_forwardRan) throw new InvalidOperationException("Backward called before Forward.");
        _xh = xh; _xl = xl;
        // Other layers have used the call scratch since this layer's Forward: pack again.
        _call = CallScratch();
        foreach (var op in _ops) if (op.B >= 0) Pack(op, weights);
        // No clearing of the weight-gradient partials: each chunk's first group writes them (beta 0).
        int threads = _chunks > 1 ? 1 : 0;
        if (_batchMode)
        {
            // Whole-batch convolution gradients first (into the source-buffer gradients), then the
            // per-image routing through the pooling adjoints below.
            if (NeedHi && !_hiIsXh) Ensure(ref _dHiAll, (long)g.Batch * _cHi * HiPlane);
            if (NeedLo && !_loIsXl) Ensure(ref _dLoAll, (long)g.Batch * _cLo * LoPlane);
            bool hiSeen = false, loSeen = false;
            foreach (var op in _ops)
            {
                var cg = BatchGeometry(op);
                bool hi = op.Src == Src.Hi;
                bool first = !(hi ? hiSeen : loSeen);
                if (hi) hiSeen = true; else loSeen = true;
                ArraySegment<float> d = op.Dst == Dst.Yh ? dyh : dyl;
                Conv2dKernel.BackwardWeight(cg, SourceAll(op.Src), d, grads[op.A], []);
                ArraySegment<float> dSrc = hi ? (_hiIsXh ? dxh : _dHiAll) : (_loIsXl ? dxl : _dLoAll);
                Conv2dKernel.BackwardInput(cg, d, weights[op.A], dSrc.AsSpan(0, (int)cg.InputLength), accumulate: !first);
            }
        }
        Parallelism.ForChunks(_groups, _chunks, (chunk, start, end) =>
        {
            GemmACache.Forget();
            try
            {
                for (int gi = start; gi < end; gi++)
                {
                    int n0 = gi * _group, nb = Math.Min(_group, g.Batch - n0);
                    if (_indirect) BackwardGroupIndirect(chunk, gi == start, n0, nb, dyh, dyl, weights, dxh, dxl);
                    else BackwardGroup(chunk, gi == start, n0, nb, dyh, dyl, weights, dxh, dxl, threads);
                }
            }
            finally { GemmACache.Forget(); }
        });
        if (_batchMode) return;
        // Reduce the per-chunk weight gradients in chunk order (deterministic: each element's sum is
        // the same whichever thread adds it), unpacking fused paths; split by output channel over threads.
        foreach (var op in _ops)
        {
            int k = WeightLength(op) / op.Cout;
            Chunked.ForPlanes(op.Cout, (long)k * _chunks, (o0, o1) => ReduceRows(op, o0, o1, grads));
        }
    }

    /// <summary>grads[path] rows [o0, o1) += every chunk's partial, in chunk order.</summary>
    private void ReduceRows(Op op, int o0, int o1, float[][] grads)
    {
        int k = WeightLength(op) / op.Cout;
        for (int c = 0; c < _chunks; c++)
        {
            Span<float> part = Partial(op, c);
            if (op.B < 0)
            {
                Span<float> d = grads[op.A].AsSpan(o0 * k, (o1 - o0) * k);
                TensorPrimitives.Add(d, part.Slice(o0 * k, (o1 - o0) * k), d);
                continue;
            }
            int ka = op.CinA * _kk, kb = k - ka;
            float[] ga = grads[op.A], gb = grads[op.B];
            for (int o = o0; o < o1; o++)
            {
                Span<float> da = ga.AsSpan(o * ka, ka), db = gb.AsSpan(o * kb, kb);
                TensorPrimitives.Add(da, part.Slice(o * k, ka), da);
                TensorPrimitives.Add(db, part.Slice(o * k + ka, kb), db);
            }
        }
    }

    /// <summary>Gradient of image n's source buffer (slot i of its group): dx itself, its batch-buffer slice, or group scratch.</summary>
    private Span<float> SourceGrad(Src src, int n, int i, ArraySegment<float> dxhAll, ArraySegment<float> dxlAll)
    {
        var g = _g;
        if (src == Src.Hi)
            return _hiIsXh ? dxhAll.AsSpan(n * g.HighIn * XhPlane, _cHi * HiPlane)
                : _batchMode && NeedHi ? _dHiAll.AsSpan(n * _cHi * HiPlane, _cHi * HiPlane)
                : Scratch(DHi, (long)_group * _cHi * HiPlane).AsSpan(i * _cHi * HiPlane, _cHi * HiPlane);
        return _loIsXl ? dxlAll.AsSpan(n * g.LowIn * XlPlane, _cLo * LoPlane)
            : _batchMode ? _dLoAll.AsSpan(n * _cLo * LoPlane, _cLo * LoPlane)
            : Scratch(DLo, (long)_group * _cLo * LoPlane).AsSpan(i * _cLo * LoPlane, _cLo * LoPlane);
    }

    // firstGroup: the chunk's first group, whose weight-gradient GEMMs overwrite the chunk's partials.
    private void BackwardGroup(int chunk, bool firstGroup, int n0, int nb, ArraySegment<float> dyhAll, ArraySegment<float> dylAll, float[][] weights, ArraySegment<float> dxhAll, ArraySegment<float> dxlAll, int threads)
    {
        var g = _g;
        // Rebuild the images' pooled/concatenated sources (batch mode keeps them from forward).
        if (!_batchMode) for (int i = 0; i < nb; i++) BuildInputs(n0 + i);
        int pHi = PHi, pLo = PLo, wHi = nb * pHi, wLo = nb * pLo;
        bool wide = nb > 1;

        // The output gradients with the group's images side by side, as the forward GEMMs wrote them.
        ReadOnlySpan<float> dyh = ImageOf(dyhAll, n0, g.HighOut, pHi), dyl = dylAll.Count == 0 ? ReadOnlySpan<float>.Empty : ImageOf(dylAll, n0, g.LowOut, pLo);
        bool hiPerImage = wide && _hiPerImage;
        if (wide && !_batchMode)
        {
            if (NeedHi && !hiPerImage)
            {
                float[] buf = Scratch(DyHGroup, (long)g.HighOut * wHi);
                for (int i = 0; i < nb; i++) Scatter(ImageOf(dyhAll, n0 + i, g.HighOut, pHi), g.HighOut, pHi, buf, wHi, i);
                dyh = buf.AsSpan(0, g.HighOut * wHi);
            }
            if (_ylWritten)
            {
                float[] buf = Scratch(DyLGroup, (long)g.LowOut * wLo);
                for (int i = 0; i < nb; i++) Scatter(ImageOf(dylAll, n0 + i, g.LowOut, pLo), g.LowOut, pLo, buf, wLo, i);
                dyl = buf.AsSpan(0, g.LowOut * wLo);
            }
        }

        if (!_batchMode && NeedHi)
        {
            if (hiPerImage)
                for (int i = 0; i < nb; i++)
                    BackwardSource(Src.Hi, chunk, firstGroup && i == 0, n0 + i, 1, ImageOf(dyhAll, n0 + i, g.HighOut, pHi), ReadOnlySpan<float>.Empty, weights, dxhAll, dxlAll, threads, slot0: i);
            else BackwardSource(Src.Hi, chunk, firstGroup, n0, nb, dyh, ReadOnlySpan<float>.Empty, weights, dxhAll, dxlAll, threads);
        }
        if (NeedLo && !_batchMode)
        {
            ReadOnlySpan<float> dz = ReadOnlySpan<float>.Empty;
            if (HasZ)
            {
                float[] buf = Scratch(DZ, (long)g.HighOut * wLo);
                for (int i = 0; i < nb; i++)
                    OctaveResample.UpsampleBackward(ImageOf(dyhAll, n0 + i, g.HighOut, pHi), g.HighOut, g.OutHiH, g.OutHiW, buf.AsSpan(i * pLo), g.OutLoH, g.OutLoW, wLo);
                dz = buf.AsSpan(0, g.HighOut * wLo);
            }
            BackwardSource(Src.Lo, chunk, firstGroup, n0, nb, dyl, dz, weights, dxhAll, dxlAll, threads);
        }
        for (int i = 0; i < nb; i++) Route(n0 + i, i, dxhAll, dxlAll);
    }

    /// <summary>Routes image n's source-buffer gradients back to dx_h and dx_l through the pooling adjoints.</summary>
    private void Route(int n, int i, ArraySegment<float> dxhAll, ArraySegment<float> dxlAll)
    {
        var g = _g;
        Span<float> dxh = ImageOf(dxhAll, n, g.HighIn, XhPlane);
        Span<float> dxl = dxlAll.Count == 0 ? Span<float>.Empty : ImageOf(dxlAll, n, g.LowIn, XlPlane);
        Span<float> dHi = NeedHi || !_hiIsXh ? SourceGrad(Src.Hi, n, i, dxhAll, dxlAll) : Span<float>.Empty;
        Span<float> dLo = NeedLo ? SourceGrad(Src.Lo, n, i, dxhAll, dxlAll) : Span<float>.Empty;
        // A high source buffer no op reads has a zero gradient (batch mode computed the others over the batch).
        if (!NeedHi && !dHi.IsEmpty) dHi.Clear();
        if (g.Stride == 1)
        {
            if (!NeedHi) dxh.Clear();
            if (NeedLo && _loHasPool) OctaveResample.PoolBackwardAdd(dLo.Slice(0, g.HighIn * LoPlane), g.HighIn, g.Height, g.Width, dxh);
            if (!dxl.IsEmpty && !_loIsXl)
            {
                if (NeedLo && _loHasX) dLo.Slice(_loXOff * LoPlane, g.LowIn * LoPlane).CopyTo(dxl);
                else dxl.Clear();
            }
        }
        else
        {
            if (NeedLo && _loHasPool) OctaveResample.PoolBackwardAdd(dLo.Slice(0, g.HighIn * LoPlane), g.HighIn, g.HiH, g.HiW, dHi);
            dxh.Clear();
            OctaveResample.PoolBackwardAdd(dHi.Slice(0, g.HighIn * HiPlane), g.HighIn, g.Height, g.Width, dxh);
            if (!dxl.IsEmpty)
            {
                if (_hiHasX) dHi.Slice(_hiXOff * HiPlane, g.LowIn * HiPlane).CopyTo(dxl);
                else dxl.Clear();
                if (NeedLo && _loHasX) OctaveResample.PoolBackwardAdd(dLo.Slice(_loXOff * LoPlane, g.LowIn * LoPlane), g.LowIn, g.XlH, g.XlW, dxl);
            }
        }
    }

    /// <summary>
    /// Weight gradients of every op reading <paramref name="src"/> for images [n0, n0 + nb) (dy and dz in the
    /// group layout), and those images' source-buffer gradients (overwritten).
    /// </summary>
    private void BackwardSource(Src src, int chunk, bool firstInChunk, int n0, int nb, ReadOnlySpan<float> dy, ReadOnlySpan<float> dz, float[][] weights,
        ArraySegment<float> dxhAll, ArraySegment<float> dxlAll, int threads, int slot0 = 0)
    {
        var g = _g;
        bool hi = src == Src.Hi;
        int c = hi ? _cHi : _cLo, p = hi ? PHi : PLo, width = nb * p;
        int tile = TileColumns(src, nb);
        if (tile < width)
        {
            BackwardSourceTiled(src, chunk, firstInChunk, n0, tile, dy, dz, weights, dxhAll, dxlAll, threads, slot0);
            return;
        }
        ReadOnlySpan<float> col = Columns(src, n0, nb);
        bool inPlace = _direct && nb == 1;
        Span<float> dcol = inPlace ? SourceGrad(src, n0, slot0, dxhAll, dxlAll)
            : Scratch(hi ? DcolHi : DcolLo, (long)c * _kk * width).AsSpan(0, c * _kk * width);
        SourceProducts(src, chunk, firstInChunk, dy, dz, width, col, dcol, width, width, weights, threads);
        if (inPlace) return;
        int h = hi ? g.HiH : g.LoH, wd = hi ? g.HiW : g.LoW;
        int oh = hi ? g.OutHiH : g.OutLoH, ow = hi ? g.OutHiW : g.OutLoW;
        for (int i = 0; i < nb; i++)
        {
            Span<float> dIn = SourceGrad(src, n0 + i, slot0 + i, dxhAll, dxlAll);
            if (_direct) Gather(dcol, width, i, c, p, dIn);
            else OctaveResample.Col2Im(dcol.Slice(i * p), c, h, wd, g.Kernel, g.Padding, g.Dilation, oh, ow, dIn, width);
        }
    }

    /// <summary>
    /// <see cref="BackwardSource"/> for one image whose im2col matrix is used a tile of columns at a time: per tile,
    /// im2col, the weight-gradient products (summed over the tiles in order), the column-gradient products and
    /// col2im into the source gradient, all while the tile is in L2.
    /// </summary>
    private void BackwardSourceTiled(Src src, int chunk, bool firstInChunk, int n, int tile, ReadOnlySpan<float> dy, ReadOnlySpan<float> dz, float[][] weights,
        ArraySegment<float> dxhAll, ArraySegment<float> dxlAll, int threads, int slot0)
    {
        bool hi = src == Src.Hi;
        int c = hi ? _cHi : _cLo, p = hi ? PHi : PLo;
        ConvGeometry geometry = SourceGeometry(src);
        Span<float> dIn = SourceGrad(src, n, slot0, dxhAll, dxlAll);
        dIn.Clear();
        for (int c0 = 0; c0 < p; c0 += tile)
        {
            int cols = Math.Min(tile, p - c0);
            ReadOnlySpan<float> col = ColumnTile(src, n, c0, cols, out int ld);
            Span<float> dcol = Scratch(hi ? DcolHi : DcolLo, (long)c * _kk * ld).AsSpan(0, c * _kk * ld);
            // The chunk's partial starts at its first image's first tile (beta 0); every later tile adds.
            SourceProducts(src, chunk, firstInChunk && c0 == 0, From(dy, c0), From(dz, c0), p, col, dcol, ld, cols, weights, threads);
            Im2Col.Fold(geometry, dcol, c, c0, cols, dIn, ld);
        }
    }

    /// <summary>
    /// For every op reading <paramref name="src"/>, over <paramref name="cols"/> columns: its weight gradient from the output
    /// gradient (row stride <paramref name="ldd"/>) and the im2col columns (written to the chunk's partial when
    /// <paramref name="firstPartial"/>, else added), and its share of the column gradient dcol (row stride <paramref name="ld"/>,
    /// like col). Rows of dcol are written per op (beta 0 by the first writer); rows no op reads get zeros.
    /// </summary>
    private void SourceProducts(Src src, int chunk, bool firstPartial, ReadOnlySpan<float> dy, ReadOnlySpan<float> dz, int ldd,
        ReadOnlySpan<float> col, Span<float> dcol, int ld, int cols, float[][] weights, int threads)
    {
        bool hi = src == Src.Hi;
        int c = hi ? _cHi : _cLo, split = hi ? _hiXOff : _loXOff;
        Span<bool> written = stackalloc bool[2];
        foreach (var op in _ops)
        {
            if (op.Src != src) continue;
            ReadOnlySpan<float> d = op.Dst == Dst.Z ? dz : dy;
            ReadOnlySpan<float> w = OpWeights(op, weights);
            Span<float> dw = Partial(op, chunk);
            int cinG = op.Cin / op.Groups, coutG = op.Cout / op.Groups, kg = cinG * _kk;
            // An op covers rows [Off, Off+Cin): segment 0 is [0, split), segment 1 is [split, c). The op order
            // guarantees the segments an op covers are either all written already or none is.
            bool first = op.Off < split ? !written[0] : !written[1];
            for (int gi = 0; gi < op.Groups; gi++)
            {
                ReadOnlySpan<float> dg = d.Slice(gi * coutG * ldd);
                int row = (op.Off + gi * cinG) * _kk;
                Gemm.Sgemm(false, true, coutG, kg, cols, 1f, dg, ldd, col.Slice(row * ld), ld, firstPartial ? 0f : 1f, dw.Slice(gi * coutG * kg), kg, threads);
                if (threads == 1) Gemm.SgemmConstantA(true, false, kg, cols, coutG, 1f, w.Slice(gi * coutG * kg), kg, dg, ldd, first ? 0f : 1f, dcol.Slice(row * ld), ld);
                else Gemm.Sgemm(true, false, kg, cols, coutG, 1f, w.Slice(gi * coutG * kg), kg, dg, ldd, first ? 0f : 1f, dcol.Slice(row * ld), ld, threads);
            }
            if (op.Off < split) written[0] = true;
            if (op.Off + op.Cin > split) written[1] = true;
        }
        if (!written[0] && split > 0) dcol.Slice(0, split * _kk * ld).Clear();
        if (!written[1] && c > split) dcol.Slice(split * _kk * ld).Clear();
    }

    /// <summary>A group-layout gradient from column c0 on (empty stays empty: a path with no output).</summary>
    private static ReadOnlySpan<float> From(ReadOnlySpan<float> d, int c0) => d.IsEmpty ? d : d.Slice(c0);
}
