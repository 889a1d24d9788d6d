namespace OctaveML.Threading;

/// <summary>
/// The one place that decides how many threads the kernels use. Work is split into chunks that
/// depend only on the problem size and <see cref="Threads"/>, never on timing, so results are
/// bit-identical from run to run for the same thread count.
/// </summary>
public static class Parallelism
{
    private static int _threads = Environment.ProcessorCount;
    [ThreadStatic] private static int t_threads; // a UseThreads scope on this thread; 0 = none

    /// <summary>
    /// Threads the kernels called from this thread may use: the count of an enclosing
    /// <see cref="UseThreads"/> scope, else the process-wide default (all processors). Setting it
    /// changes the process-wide default; it must be at least 1.
    /// </summary>
    public static int Threads
    {
        get => t_threads > 0 ? t_threads : _threads;
        set
        {
            if (value < 1)
                throw new ArgumentOutOfRangeException(nameof(value), value, "Threads must be at least 1.");
            _threads = value;
        }
    }

    /// <summary>
    /// Until the scope is disposed, kernels called from this thread use <paramref name="threads"/>
    /// (a training session's own count) instead of the process-wide <see cref="Threads"/>. Scopes nest.
    /// </summary>
    internal static ThreadsScope UseThreads(int threads)
    {
        if (threads < 1) throw new ArgumentOutOfRangeException(nameof(threads), threads, "threads must be at least 1.");
        var scope = new ThreadsScope(t_threads);
        t_threads = threads;
        return scope;
    }

    /// <summary>Restores the calling thread's previous thread count when disposed (see <see cref="UseThreads"/>).</summary>
    internal readonly struct ThreadsScope : IDisposable
    {
        private readonly int _previous;
        internal ThreadsScope(int previous) => _previous = previous;

        /// <summary>Restores the previous count.</summary>
        public void Dispose() => t_threads = _previous;
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
        int all = Threads;
        int threads = Math.Min(maxThreads > 0 ? maxThreads : all, count);
        if (threads <= 1)
        {
            for (int i = 0; i < count; i++) body(i);
            return;
        }
        // The kernels' own team when it is free (same threads, same scratch every call); else the thread pool.
        if (team && threads <= all && WorkerTeam.TryRun(count, threads, body)) return;
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
