using OctaveML.Threading;
using OctaveML.Models;
using OctaveML.Nn;
using OctaveML.Tensors;
using OctaveML.Training;

namespace OctaveML.Tests.Training;

[Collection("Parallelism")]
public class ManagedBackendTests
{
    /// <summary>A classifier whose one layer records the kernel thread count its forward and backward run with.</summary>
    private sealed class ThreadProbe : ImageClassifier
    {
        private readonly ProbeLayer _layer;
        public ThreadProbe() => _layer = RegisterModule("probe", new ProbeLayer());
        public override int InChannels => 1;
        public override int NumClasses => 2;
        public List<int> Seen => _layer.Seen;
        public override Value Forward(Graph graph, Value images) => _layer.Forward(graph, images);
    }

    private sealed class ProbeLayer : Layer, IOp
    {
        public ProbeLayer() => RegisterParameter("bias", new Tensor(2));
        public List<int> Seen { get; } = new();
        public override Value Forward(Graph graph, Value input) => graph.Add(this, input, [input.N, 2]);
        bool IOp.SavesInput(int input) => false;
        bool IOp.SavesOutput(int output) => false;
        bool IOp.SkipsInputGradient(int input) => true;

        void IOp.Forward(ReadOnlySpan<Tensor?> inputs, ReadOnlySpan<Tensor?> outputs)
        {
            Seen.Add(Parallelism.Threads);
            outputs[0]!.Span.Clear();
        }

        void IOp.Backward(ReadOnlySpan<Tensor?> inputs, ReadOnlySpan<Tensor?> outputs, ReadOnlySpan<Tensor?> gradOutputs, ReadOnlySpan<Tensor?> gradInputs) =>
            Seen.Add(Parallelism.Threads);
    }

    [Fact]
    public void A_session_runs_with_its_own_thread_count_and_leaves_the_process_wide_one_alone()
    {
        int before = Parallelism.Threads;
        try
        {
            Parallelism.Threads = 3;
            var probe = new ThreadProbe();
            using var session = new ManagedBackend(threads: 1).CreateSession(probe, new TrainerOptions());
            session.ForwardBackward(new Tensor(2, 1, 2, 2), [0, 1]);
            session.Step(0.1);
            session.Predict(new Tensor(2, 1, 2, 2));
            probe.Seen.Should().Equal(1, 1, 1);
            session.Threads.Should().Be(1);
            Parallelism.Threads.Should().Be(3);
            new ManagedBackend().CreateSession(probe, new TrainerOptions()).Threads.Should().Be(3, "null follows the process-wide count");
        }
        finally { Parallelism.Threads = before; }
    }

    [Fact]
    public void Thread_scopes_nest_and_restore()
    {
        int outer = Parallelism.Threads;
        using (Parallelism.UseThreads(5))
        {
            Parallelism.Threads.Should().Be(5);
            using (Parallelism.UseThreads(1)) Parallelism.Threads.Should().Be(1);
            Parallelism.Threads.Should().Be(5);
        }
        Parallelism.Threads.Should().Be(outer);
        FluentActions.Invoking(() => new ManagedBackend(threads: 0)).Should().Throw<ArgumentOutOfRangeException>().WithMessage("*threads must be at least 1*");
    }
}
