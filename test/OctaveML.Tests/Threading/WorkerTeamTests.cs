using System.Collections.Concurrent;
using OctaveML.Threading;

namespace OctaveML.Tests.Threading;

// In the Parallelism collection: alone, so no other test holds the team while these ask for it.
[Collection("Parallelism")]
public class WorkerTeamTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData(2, 2)]
    [InlineData(2, 3)]
    [InlineData(2, 1000)]
    [InlineData(3, 7)]
    [InlineData(4, 4)]
    [InlineData(4, 513)]
    public void Every_index_runs_exactly_once(int threads, int count)
    {
        for (int round = 0; round < 20; round++)
        {
            var runs = new int[count];
            Assert.True(WorkerTeam.TryRun(count, threads, i => Interlocked.Increment(ref runs[i])));
            Assert.All(runs, r => Assert.Equal(1, r));
        }
    }

    [Fact]
    public async Task Jobs_after_pauses_of_every_length_all_complete()
    {
        // Pauses around the spin window: workers are caught spinning, falling asleep, or asleep; none may miss a job.
        var rng = new Random(5);
        var run = Task.Run(() =>
        {
            for (int round = 0; round < 120; round++)
            {
                var until = System.Diagnostics.Stopwatch.GetTimestamp() + rng.Next(0, 2500) * System.Diagnostics.Stopwatch.Frequency / 1_000_000;
                while (System.Diagnostics.Stopwatch.GetTimestamp() < until) { }
                var runs = new int[3];
                Assert.True(WorkerTeam.TryRun(3, 3, i => Interlocked.Increment(ref runs[i])));
                Assert.All(runs, r => Assert.Equal(1, r));
            }
        });
        await run.WaitAsync(Patience);
    }

    [Fact]
    public void A_participant_keeps_its_share_from_call_to_call()
    {
        // Index 0 (the caller's) waits until index 1 has started, so only a worker can have taken index 1.
        int Worker()
        {
            int id = 0;
            using var started = new ManualResetEventSlim();
            Assert.True(WorkerTeam.TryRun(2, 2, i =>
            {
                if (i == 0) Assert.True(started.Wait(Patience), "index 1 never started");
                else { id = Environment.CurrentManagedThreadId; started.Set(); }
            }));
            Assert.NotEqual(Environment.CurrentManagedThreadId, id);
            return id;
        }
        int first = Worker();
        for (int round = 0; round < 10; round++) Assert.Equal(first, Worker());
    }

    [Fact]
    public void Exceptions_come_back_wrapped_and_the_team_runs_again()
    {
        var e = Assert.Throws<AggregateException>(() => WorkerTeam.TryRun(100, 2, i =>
        {
            if (i == 60) throw new InvalidDataException("index 60 is bad");
        }));
        Assert.Contains(e.InnerExceptions, x => x is InvalidDataException { Message: "index 60 is bad" });
        var runs = new int[50];
        Assert.True(WorkerTeam.TryRun(50, 2, i => Interlocked.Increment(ref runs[i])));
        Assert.All(runs, r => Assert.Equal(1, r));
    }

    [Fact]
    public void A_nested_call_is_refused_and_Parallelism_For_still_runs_it()
    {
        var refused = new ConcurrentBag<bool>();
        var inner = new int[4 * 10];
        Assert.True(WorkerTeam.TryRun(4, 2, i =>
        {
            refused.Add(!WorkerTeam.TryRun(2, 2, _ => { }));
            Parallelism.For(10, j => Interlocked.Increment(ref inner[i * 10 + j]), 2);
        }));
        Assert.All(refused, Assert.True);
        Assert.All(inner, r => Assert.Equal(1, r));
    }

    [Fact]
    public void Work_sent_to_the_thread_pool_keeps_its_nested_kernels_off_the_team()
    {
        // The data loader's batches: neither they nor the resizes inside them may hold the team.
        var names = new ConcurrentBag<string?>();
        Parallelism.ForOnThreadPool(4, i => Parallelism.For(2, j => names.Add(Thread.CurrentThread.Name), 2), 2);
        Assert.Equal(8, names.Count);
        Assert.DoesNotContain(names, n => n?.StartsWith("OctaveML worker", StringComparison.Ordinal) == true);
        // And the same call from an ordinary caller does use the team (index 0 waits, so a worker runs index 1).
        var direct = new ConcurrentBag<string?>();
        using var started = new ManualResetEventSlim();
        int keep = Parallelism.Threads;
        Parallelism.Threads = 2;
        try
        {
            Parallelism.For(2, j =>
            {
                if (j == 0) Assert.True(started.Wait(Patience));
                else { direct.Add(Thread.CurrentThread.Name); started.Set(); }
            });
        }
        finally { Parallelism.Threads = keep; }
        Assert.Contains(direct, n => n?.StartsWith("OctaveML worker", StringComparison.Ordinal) == true);
    }

    [Fact]
    public async Task Concurrent_callers_each_get_all_their_indices()
    {
        // Two threads racing for the team: the loser runs on the thread pool, nothing is lost or run twice.
        var totals = new long[2];
        var callers = Enumerable.Range(0, 2).Select(t => Task.Run(() =>
        {
            for (int round = 0; round < 200; round++)
            {
                var runs = new int[64];
                Parallelism.For(64, i => Interlocked.Increment(ref runs[i]), 2);
                Assert.All(runs, r => Assert.Equal(1, r));
                totals[t] += runs.Sum();
            }
        })).ToArray();
        await Task.WhenAll(callers).WaitAsync(Patience);
        Assert.Equal([200L * 64, 200L * 64], totals);
    }
}
