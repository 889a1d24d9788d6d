namespace OctaveML.Nn;

/// <summary>
/// Offsets of a plan's buffers in one address space, as llm.c lays its activations out in one array
/// and TFLite's "greedy by size" planner places tensors: buffers whose lifetimes overlap never overlap
/// in memory; the largest go first, each at the lowest offset that fits beside those already placed.
/// The space is cut into arrays of <c>chunkFloats</c>, and no buffer straddles two of them.
/// </summary>
internal static class ArenaLayout
{
    /// <summary>Buffers start on 64-byte boundaries (a cache line, an AVX-512 vector).</summary>
    public const long Align = 16;

    /// <summary>Floats in one of the arena's arrays: 4 GB, well under <see cref="Array.MaxLength"/>.</summary>
    public const long ChunkFloats = 1L << 30;

    /// <summary>One buffer: alive over time steps [Start, End] (inclusive), <paramref name="Floats"/> long.</summary>
    public readonly record struct Buffer(int Start, int End, long Floats);

    /// <summary>Writes each buffer's offset into <paramref name="offsets"/>; returns the space used (the arena's size).</summary>
    public static long Place(IReadOnlyList<Buffer> buffers, Span<long> offsets, long chunkFloats = ChunkFloats)
    {
        if (chunkFloats < Align || chunkFloats % Align != 0)
            throw new ArgumentOutOfRangeException(nameof(chunkFloats), chunkFloats, $"chunkFloats must be a positive multiple of {Align}.");
        var order = Enumerable.Range(0, buffers.Count)
            .OrderByDescending(i => buffers[i].Floats).ThenBy(i => buffers[i].Start).ThenBy(i => i).ToArray();
        var placed = new List<int>(buffers.Count);
        var conflicts = new List<(long Start, long End)>();
        long size = 0;
        foreach (int i in order)
        {
            var b = buffers[i];
            long floats = Footprint(b.Floats);
            if (floats == 0) { offsets[i] = 0; continue; }
            if (floats > chunkFloats)
                throw new InvalidOperationException($"one activation needs {b.Floats} floats, more than an arena array holds ({chunkFloats}): use a smaller batch.");
            conflicts.Clear();
            foreach (int p in placed)
                if (buffers[p].Start <= b.End && b.Start <= buffers[p].End) conflicts.Add((offsets[p], offsets[p] + Footprint(buffers[p].Floats)));
            conflicts.Sort();
            long at = 0;
            foreach (var (start, end) in conflicts)
            {
                at = InOneChunk(at, floats, chunkFloats);
                if (at + floats <= start) break;
                at = Math.Max(at, end);
            }
            at = InOneChunk(at, floats, chunkFloats);
            offsets[i] = at;
            size = Math.Max(size, at + floats);
            placed.Add(i);
        }
        return size;
    }

    /// <summary>The most floats alive at any one time step: no placement can use less.</summary>
    public static long PeakLive(IReadOnlyList<Buffer> buffers)
    {
        if (buffers.Count == 0) return 0;
        int last = buffers.Max(b => b.End);
        var delta = new long[last + 2];
        foreach (var b in buffers)
        {
            delta[b.Start] += Footprint(b.Floats);
            delta[b.End + 1] -= Footprint(b.Floats);
        }
        long live = 0, peak = 0;
        foreach (long d in delta) peak = Math.Max(peak, live += d);
        return peak;
    }

    /// <summary>
    /// A buffer's footprint: its floats rounded up to <see cref="Align"/>, plus one spare cache line. Activation
    /// sizes are multiples of large powers of two (16 x 128 x 56 x 56 floats is 196 x 128 KB), so without the spare
    /// line many buffers start at the same address modulo 4 KB and a kernel streaming several of them keeps
    /// evicting itself from the same cache sets: one OctResNet-50 plan ran its step 10-20% slower until staggered.
    /// </summary>
    private static long Footprint(long floats) => floats == 0 ? 0 : (floats + Align - 1) / Align * Align + Align;

    private static long InOneChunk(long at, long floats, long chunkFloats) =>
        at / chunkFloats == (at + floats - 1) / chunkFloats ? at : (at / chunkFloats + 1) * chunkFloats;
}
