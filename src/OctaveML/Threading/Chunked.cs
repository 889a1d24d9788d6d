namespace OctaveML.Threading;

/// <summary>
/// Deterministic splits of element-wise and per-plane work over <see cref="Parallelism"/>: chunk
/// boundaries depend only on the problem size and the thread count, and small problems stay on
/// the calling thread (a parallel loop costs a few microseconds).
/// </summary>
internal static class Chunked
{
    /// <summary>Below this many elements per chunk, one thread is faster than two.</summary>
    public const int MinElementsPerChunk = 1 << 15;

    /// <summary>Runs body(start, end) over [0, n); boundaries are multiples of 16 except the last.</summary>
    public static void ForRange(int n, Action<int, int> body)
    {
        int chunks = (int)Math.Min(Parallelism.Threads, n / MinElementsPerChunk);
        if (chunks <= 1) { if (n > 0) body(0, n); return; }
        Parallelism.For(chunks, c =>
        {
            int s = (int)((long)n * c / chunks) & ~15;
            int e = c == chunks - 1 ? n : (int)((long)n * (c + 1) / chunks) & ~15;
            body(s, e);
        });
    }

    /// <summary>Runs body(firstPlane, endPlane) over [0, planes) in contiguous runs of planes.</summary>
    public static void ForPlanes(int planes, long elementsPerPlane, Action<int, int> body)
    {
        long total = planes * Math.Max(1, elementsPerPlane);
        int chunks = (int)Math.Min(Math.Min(Parallelism.Threads, planes), total / MinElementsPerChunk);
        if (chunks <= 1) { if (planes > 0) body(0, planes); return; }
        Parallelism.For(chunks, c => body((int)((long)planes * c / chunks), (int)((long)planes * (c + 1) / chunks)));
    }
}
