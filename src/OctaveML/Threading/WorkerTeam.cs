namespace OctaveML.Threading;

/// <summary>
/// A fixed team of dedicated worker threads for <see cref="Parallelism.For"/>. The thread pool hands the
/// chunks of successive kernels to whichever of its threads is free (on two cores, a training step's
/// chunks land on four or more), and every one of them grows its own thread-static scratch (im2col
/// buffers, packed panels): memory multiplied by pool threads, and buffers cold in the core that picks
/// them up. A fixed team keeps one set of scratch per participant, and participant p always starts on the
/// p-th contiguous share of the indices, so chunk c of one kernel runs on the same thread as chunk c of the
/// previous one.
/// <para>
/// One caller at a time owns the team; a concurrent caller (a data loader thread) or a nested call gets
/// false from <see cref="TryRun"/> and runs some other way. Results never depend on which thread ran an
/// index: a participant that finishes its share early takes indices from the others' shares.
/// </para>
/// </summary>
internal static class WorkerTeam
{
    private sealed class Worker
    {
        public readonly SemaphoreSlim Wake = new(0);
        // Jobs posted to this worker (it runs one per increment) and whether it is about to block on Wake.
        public long Posted;
        public int Sleeping;
    }

    /// <summary>
    /// How long a worker (and the owner waiting for the workers) waits before blocking (200 us). Waking a blocked
    /// thread costs about 95 us on 2-core EPYC VMs, a spinning one 2-7 us. With another busy process on the machine
    /// a longer spin costs more than it saves: the spinner holds a processor its descheduled partner needs.
    /// Measured (Zen 3, 2 threads, training steps): beside one busy process, 1 ms of pure spinning against 200 us
    /// that yields the processor (<see cref="Spin"/>): OctCifarResNet-20 0.73 vs 0.49 s, OctMobileNet 1.34-1.59 vs
    /// 0.91-0.96 s; on a quiet machine the same within noise (0.249 vs 0.250 s, 0.51 vs 0.50 s medians).
    /// </summary>
    private static readonly long SpinTicks = System.Diagnostics.Stopwatch.Frequency / 5000;

    // More team threads than processors: a spinning thread would take a core from a working one, so block at once.
    private static long SpinLimit => Parallelism.Threads <= Environment.ProcessorCount ? SpinTicks : 0;

    // Per-participant claim counters, a cache line apart so that claiming does not bounce one line between cores.
    private const int Stride = 16;

    private static readonly object Gate = new();
    private static readonly object ErrorsLock = new();
    private static readonly List<Worker> Workers = new();
    private static readonly ManualResetEventSlim Done = new(false, spinCount: 1);
    [ThreadStatic] private static bool t_inTeam;

    // The job being run (written by the owner before waking workers, read by them after waking).
    private static Action<int>? _body;
    private static int _participants;
    private static int[] _next = new int[Stride];
    private static int[] _end = new int[Stride];
    private static int _remaining;
    private static List<Exception>? _errors;

    /// <summary>
    /// Runs body(i) for i in [0, count) on the calling thread and threads - 1 team workers, and returns true;
    /// false (nothing run) if the team is busy with another caller or this thread is already inside a team job.
    /// Exceptions thrown by the body come back wrapped in an <see cref="AggregateException"/>, as from Parallel.For.
    /// </summary>
    public static bool TryRun(int count, int threads, Action<int> body)
    {
        threads = Math.Min(threads, count);
        if (threads < 2 || t_inTeam || !Monitor.TryEnter(Gate)) return false;
        try
        {
            while (Workers.Count < threads - 1) Start(Workers.Count);
            if (_next.Length < threads * Stride) { _next = new int[threads * Stride]; _end = new int[threads * Stride]; }
            for (int p = 0; p < threads; p++)
            {
                _next[p * Stride] = (int)((long)count * p / threads);
                _end[p * Stride] = (int)((long)count * (p + 1) / threads);
            }
            _body = body;
            _participants = threads;
            _errors = null;
            _remaining = threads - 1;
            Done.Reset();
            for (int w = 0; w < threads - 1; w++) Post(Workers[w]);
            t_inTeam = true;
            try { Participate(0); }
            finally { t_inTeam = false; }
            // Not Done.Wait() straight after the spin: the last worker decrements before it sets Done, and a
            // wait that lands between the two blocks for a whole wake-up. A Set left over from the previous
            // job only costs one more turn of the loop.
            for (var spin = new Spin(); Volatile.Read(ref _remaining) != 0 && spin.Next();) { }
            while (Volatile.Read(ref _remaining) != 0)
            {
                Done.Wait();
                Done.Reset();
            }
            _body = null;
            if (_errors is { } errors) throw new AggregateException(errors);
            return true;
        }
        finally { Monitor.Exit(Gate); }
    }

    private static void Start(int index)
    {
        var worker = new Worker();
        Workers.Add(worker);
        new Thread(() => Loop(worker, index + 1)) { IsBackground = true, Name = $"OctaveML worker {index + 1}" }.Start();
    }

    private static void Post(Worker worker)
    {
        Interlocked.Increment(ref worker.Posted);
        // Paired with the worker's announce-then-check in Loop: one of the two sees the other's write.
        if (Interlocked.CompareExchange(ref worker.Sleeping, 0, 1) == 1) worker.Wake.Release();
    }

    private static void Loop(Worker worker, int participant)
    {
        t_inTeam = true;
        long seen = 0;
        while (true)
        {
            for (var spin = new Spin(); Volatile.Read(ref worker.Posted) == seen && spin.Next();) { }
            while (Volatile.Read(ref worker.Posted) == seen)
            {
                Interlocked.Exchange(ref worker.Sleeping, 1);
                if (Volatile.Read(ref worker.Posted) == seen) worker.Wake.Wait(); // a stale release only loops again
                Interlocked.Exchange(ref worker.Sleeping, 0);
            }
            seen++;
            if (participant < _participants) Participate(participant);
            if (Interlocked.Decrement(ref _remaining) == 0) Done.Set();
        }
    }

    /// <summary>
    /// A bounded spin: each <see cref="Next"/> pauses briefly and says whether to go on spinning, which
    /// stops once <see cref="SpinLimit"/> has passed. The first 64 turns (a few microseconds) only pause; later
    /// turns yield the processor to any other runnable thread (a descheduled partner, on a loaded machine) and
    /// read the clock each time.
    /// </summary>
    private struct Spin
    {
        private readonly long _start, _limit;
        private int _turns;

        public Spin() { _start = System.Diagnostics.Stopwatch.GetTimestamp(); _limit = SpinLimit; }

        public bool Next()
        {
            if (_turns < 64)
            {
                Thread.SpinWait(8);
                _turns++;
                return true;
            }
            Thread.Yield();
            return System.Diagnostics.Stopwatch.GetTimestamp() - _start <= _limit;
        }
    }

    /// <summary>Runs participant p's own share from its front, then claims what is left of the others' shares.</summary>
    private static void Participate(int p)
    {
        var body = _body!;
        int n = _participants;
        for (int k = 0; k < n; k++)
        {
            int q = (p + k) % n;
            while (true)
            {
                int i = Interlocked.Increment(ref _next[q * Stride]) - 1;
                if (i >= _end[q * Stride]) break;
                try { body(i); }
                catch (Exception e)
                {
                    lock (ErrorsLock) (_errors ??= new()).Add(e);
                    // Stop handing out indices, as Parallel.For stops after an exception.
                    for (int r = 0; r < n; r++) Volatile.Write(ref _next[r * Stride], int.MaxValue / 2);
                }
            }
        }
    }
}
