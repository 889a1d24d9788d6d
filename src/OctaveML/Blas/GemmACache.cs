namespace OctaveML.Blas;

/// <summary>
/// The calling thread's packed copies of A operands that stay constant across many GEMM calls (a
/// convolution's weights, multiplied with one image or group of images after another), so that each is
/// packed once per layer call instead of once per image. Entries are found by the operand's address and
/// shape, so a caller that marks A constant must call <see cref="Forget"/> on the same thread before that
/// memory can hold anything else (the octave kernel forgets at the start and end of each work item).
/// </summary>
internal static unsafe class GemmACache
{
    private sealed class Entry
    {
        public nint A, Lda, Layout;
        public bool Trans, Valid;
        public int I0, I1, K;
        public long Used;
        public float[] Buffer = [];
        public float* Ptr;
    }

    /// <summary>Entries per thread: an octave layer has up to three weight operands per pass.</summary>
    private const int Capacity = 3;

    /// <summary>
    /// Largest packed operand kept (2 MB). Every thread that ever runs kernel work keeps its own entries
    /// (thread-pool threads come and go), so they must stay small: measured +85 MB peak RSS for OctResNet-50
    /// with 4 entries of up to 4 MB, +26 MB with these 3 of up to 2 MB. The weights of the first three
    /// stages fit (the largest, stage 3's fused low 3x3, is 295K floats); the last stage's do not, and its
    /// layers run at most a few images per thread anyway.
    /// </summary>
    public const long MaxFloats = 1 << 19;

    /// <summary>Whether an m x k operand is small enough to be kept (<see cref="MaxFloats"/>).</summary>
    public static bool Keeps(int m, int k) => (long)m * k <= MaxFloats;
    private const int Align = 64;

    [ThreadStatic] private static Entry[]? t_entries;
    [ThreadStatic] private static long t_clock;

    /// <summary>Drops every packed copy of the calling thread (their buffers are kept for reuse).</summary>
    public static void Forget()
    {
        if (t_entries is { } entries)
            foreach (var e in entries) e.Valid = false;
    }

    /// <summary>
    /// The packed buffer (at least <paramref name="floats"/> floats, 64-byte aligned) for rows [i0, i1) of
    /// op(A) in the packing <paramref name="layout"/>; <paramref name="packed"/> says whether it already
    /// holds them (else the caller packs into it).
    /// </summary>
    public static float* Get(float* a, nint lda, bool trans, int i0, int i1, int k, nint layout, long floats, out bool packed)
    {
        var entries = t_entries ??= CreateEntries();
        long clock = ++t_clock;
        foreach (var e in entries)
            if (e.Valid && e.A == (nint)a && e.Lda == lda && e.Trans == trans && e.I0 == i0 && e.I1 == i1 && e.K == k && e.Layout == layout)
            {
                e.Used = clock;
                packed = true;
                return e.Ptr;
            }
        long needed = floats + Align / sizeof(float);
        var victim = Victim(entries, needed);
        if (victim!.Buffer.Length < needed)
        {
            victim.Buffer = GC.AllocateUninitializedArray<float>(checked((int)needed), pinned: true);
            fixed (float* p = victim.Buffer) // pinned-heap arrays never move
                victim.Ptr = (float*)(((nint)p + Align - 1) & ~(nint)(Align - 1));
        }
        (victim.A, victim.Lda, victim.Trans, victim.I0, victim.I1, victim.K, victim.Layout) = ((nint)a, lda, trans, i0, i1, k, layout);
        victim.Valid = true;
        victim.Used = clock;
        packed = false;
        return victim.Ptr;
    }

    /// <summary>
    /// A free entry whose buffer already fits (the smallest such), else the free one with the largest buffer
    /// (to grow), else the least recently used: buffers grow only as far as the largest operands need.
    /// </summary>
    private static Entry Victim(Entry[] entries, long needed)
    {
        Entry? fit = null, largest = null, oldest = null;
        foreach (var e in entries)
        {
            if (!e.Valid)
            {
                if (e.Buffer.Length >= needed && (fit is null || e.Buffer.Length < fit.Buffer.Length)) fit = e;
                if (largest is null || e.Buffer.Length > largest.Buffer.Length) largest = e;
            }
            if (oldest is null || e.Used < oldest.Used) oldest = e;
        }
        return fit ?? largest ?? oldest!;
    }

    private static Entry[] CreateEntries()
    {
        var entries = new Entry[Capacity];
        for (int i = 0; i < Capacity; i++) entries[i] = new Entry();
        return entries;
    }
}
