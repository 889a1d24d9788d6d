namespace OctaveML.Threading;

/// <summary>
/// The one place that decides how many threads the kernels use. Work is split into chunks that
/// depend only on the problem size and <see cref="Threads"/>, never on timing, so results are
/// bit-identical from run to run for the same thread count.
/// </summary>
public static class Parallelism
{
    private static int _threads = Environment.ProcessorCount;

    /// <summary>Threads the kernels may use (default: all processors). Must be at least 1.</summary>
    public static int Threads
    {
        get => _threads;
        set
        {
            if (value < 1)
                throw new ArgumentOutOfRangeException(nameof(value), value, "Threads must be at least 1.");
            _threads = value;
        }
    }

    /// <summary>
    /// Runs <paramref name="body"/> for every index in [0, <paramref name="count"/>), on up to
    /// <paramref name="maxThreads"/> threads (0 = <see cref="Threads"/>). Runs inline when one
    /// thread suffices, so small problems pay no scheduling cost.
    /// </summary>
    public static void For(int count, Action<int> body, int maxThreads = 0) => Run(count, body, maxThreads, team: !t_offTeam);

    /// <summary>
    /// <see cref="For"/> on the thread pool, never on the kernels' worker team: for work on a background
    /// thread (the data loader preparing the next batch), which would otherwise hold the team and send the
    /// training thread's kernels to the pool meanwhile. Kernels the body calls (an image resize) stay off the team too.
    /// </summary>
    internal static void ForOnThreadPool(int count, Action<int> body, int maxThreads = 0) => Run(count, i =>
    {
        bool keep = t_offTeam;
        t_offTeam = true;
        try { body(i); }
        finally { t_offTeam = keep; }
    }, maxThreads, team: false);

    private static void Run(int count, Action<int> body, int maxThreads, bool team)
    {
        int threads = Math.Min(maxThreads > 0 ? maxThreads : _threads, count);
        if (threads <= 1)
        {
            for (int i = 0; i < count; i++) body(i);
            return;
        }
        // The kernels' own team when it is free (same threads, same scratch every call); else the thread pool.
        if (team && threads <= _threads && WorkerTeam.TryRun(count, threads, body)) return;
        Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = threads }, body);
    }

    [ThreadStatic] private static bool t_offTeam;

    /// <summary>
    /// Splits [0, <paramref name="count"/>) into <paramref name="chunks"/> contiguous ranges of
    /// near-equal size and runs <paramref name="body"/>(chunk, start, end) for each, in parallel.
    /// </summary>
    public static void ForChunks(int count, int chunks, Action<int, int, int> body, int maxThreads = 0)
    {
        chunks = Math.Max(1, Math.Min(chunks, count));
        For(chunks, c =>
        {
            int start = (int)((long)count * c / chunks);
            int end = (int)((long)count * (c + 1) / chunks);
            body(c, start, end);
        }, maxThreads);
    }
}
