using OctaveML.Ops;
using OctaveML.Tensors;

namespace OctaveML.Nn;

/// <summary>
/// Runs a module's traced forward, and its backward in reverse, owning every activation and gradient
/// buffer, as TorchScript's GraphExecutor runs a graph and autograd's engine its backward. The module's
/// declaration is traced once per input shape and planned (<see cref="MemoryPlan"/>); the plans of the
/// most recent shapes are kept and share one arena, sized for the largest, whose buffers the layers
/// receive as tensors. A forward that keeps activations allows one backward; an eval forward keeps none.
/// Outputs and input gradients are fresh tensors, since callers keep them. One call at a time.
/// </summary>
internal sealed class GraphExecutor
{
    /// <summary>A module's forward over graph values: outputs (null where absent) for inputs (null where absent).</summary>
    public delegate Value?[] Declaration(Graph graph, Value?[] inputs);

    // A training run meets its batch shape, the last smaller batch and an evaluation batch: keep those.
    private const int PlansKept = 4;

    private readonly Declaration _declare;
    private readonly bool _inputGradients;
    private readonly List<BoundPlan> _plans = new();
    private float[][] _arena = [];
    private PlanOptions _options = new();
    private BoundPlan? _pending;
    private Tensor?[] _inputs = [], _outputs = [];

    /// <param name="declare">The module's forward over graph values.</param>
    /// <param name="inputGradients">Whether backward returns the inputs' gradients (a layer run alone) or not (a network's images).</param>
    public GraphExecutor(Declaration declare, bool inputGradients)
    {
        _declare = declare;
        _inputGradients = inputGradients;
    }

    /// <summary>How plans save memory; setting it drops the plans made so far.</summary>
    public PlanOptions Options
    {
        get => _options;
        set { _options = value; _plans.Clear(); _pending = null; }
    }

    /// <summary>Floats in the arena (a memory diagnostic).</summary>
    public long ArenaFloats => _arena.Sum(c => (long)c.Length);

    /// <summary>The plan of the last forward, or null before any.</summary>
    public MemoryPlan? LastPlan { get; private set; }

    /// <summary>
    /// Runs the forward for <paramref name="inputs"/> (null where absent) and returns fresh outputs. With
    /// <paramref name="keepForBackward"/>, keeps what one <see cref="Backward"/> needs.
    /// </summary>
    public Tensor?[] Forward(ReadOnlySpan<Tensor?> inputs, bool keepForBackward)
    {
        _pending = null;
        var bound = PlanFor(inputs, keepForBackward);
        var plan = bound.Plan;
        _inputs = inputs.ToArray();
        _outputs = bound.OutputShapes.Select(s => s is null ? null : Tensor.Uninitialized(s)).ToArray();
        bound.Patch(_inputs, _outputs, [], []);
        var nodes = plan.Graph.Nodes;
        for (int i = 0; i < nodes.Count; i++)
            nodes[i].Op.Forward(bound.ForwardInputs[i], bound.ForwardOutputs[i]);
        if (keepForBackward) _pending = bound;
        return (Tensor?[])_outputs.Clone();
    }

    /// <summary>
    /// Back-propagates <paramref name="gradOutputs"/> (one per output, null where absent) through the last forward,
    /// adding into the parameters' gradients; returns the inputs' gradients (fresh; null when not asked for).
    /// </summary>
    public Tensor?[] Backward(ReadOnlySpan<Tensor?> gradOutputs, bool inputGradients = true)
    {
        const string NeedsForward =
            "Backward needs a forward in training mode just before it: an eval-mode forward keeps no activations, and a backward uses them up.";
        if (_outputs.Length == 0) throw new InvalidOperationException(NeedsForward);
        if (gradOutputs.Length != _outputs.Length)
            throw new ArgumentException($"{gradOutputs.Length} output gradients for {_outputs.Length} outputs.", "gradOutput");
        for (int k = 0; k < _outputs.Length; k++)
        {
            var (y, g) = (_outputs[k], gradOutputs[k]);
            if (y is null != g is null || (y is not null && !g!.SameShape(y)))
                throw new ArgumentException($"gradOutput has shape {g?.ShapeString ?? "null"}, expected {y?.ShapeString ?? "null"} (the last output's).", "gradOutput");
        }
        var bound = _pending ?? throw new InvalidOperationException(NeedsForward);
        _pending = null;
        var gradInputs = _inputs.Select(x => x is not null && inputGradients && _inputGradients ? Tensor.Uninitialized(x.ShapeArray()) : null).ToArray();
        bound.Patch(_inputs, _outputs, gradInputs, gradOutputs.ToArray());
        var nodes = bound.Plan.Graph.Nodes;
        var steps = bound.Plan.Backward;
        for (int k = 0; k < steps.Length; k++)
        {
            var step = steps[k];
            var bs = bound.Backward[k];
            foreach (var (node, into) in bs.Recompute)
                ((IRecomputableOp)nodes[node].Op).Recompute(bound.SavedInputsOf(node), into);
            nodes[step.Node].Op.Backward(bs.Inputs, bs.Outputs, bs.GradOutputs, bs.GradInputs);
            // Later contributions to a gradient (the sum is null when the caller did not ask for that input's).
            for (int a = 0; a < bs.Parts.Length; a++)
                if (bs.Sums[a] is { } sum) ElementwiseKernel.AddInPlace(sum.Span, bs.Parts[a]!.Span);
        }
        return gradInputs;
    }

    private BoundPlan PlanFor(ReadOnlySpan<Tensor?> inputs, bool keep)
    {
        var shapes = new int[]?[inputs.Length];
        for (int i = 0; i < inputs.Length; i++) shapes[i] = inputs[i]?.ShapeArray();
        int found = _plans.FindIndex(p => p.Matches(shapes, keep));
        BoundPlan bound;
        if (found >= 0)
        {
            bound = _plans[found];
            _plans.RemoveAt(found);
        }
        else
        {
            var graph = new Graph();
            var values = shapes.Select(s => s is null ? (Value?)null : graph.Input(s)).ToArray();
            var outputs = _declare(graph, values);
            var plan = MemoryPlan.Create(graph, outputs.Select(v => v?.Id ?? -1).ToArray(), keep, _inputGradients, _options);
            bound = new BoundPlan(plan, shapes, keep, outputs.Select(v => v?.ShapeArray()).ToArray());
        }
        _plans.Insert(0, bound);
        if (_plans.Count > PlansKept) _plans.RemoveAt(PlansKept);
        LastPlan = bound.Plan;
        long need = bound.Plan.ArenaFloats;
        if (need > ArenaFloats)
        {
            _arena = [];   // the old arrays are garbage before the new ones are touched
            var chunks = new List<float[]>();
            for (long left = need; left > 0; left -= ArenaLayout.ChunkFloats)
                chunks.Add(GC.AllocateUninitializedArray<float>((int)Math.Min(left, ArenaLayout.ChunkFloats)));
            _arena = chunks.ToArray();
        }
        bound.Bind(_arena);
        return bound;
    }

    /// <summary>A plan with its tensors: views into the arena, and the slots the caller's tensors fill per call.</summary>
    private sealed class BoundPlan
    {
        private readonly int[]?[] _inputShapes;
        private readonly bool _keep;
        private readonly List<(Tensor?[] Array, int Index, TensorRef Ref)> _external = new();
        private float[][]? _arena;

        public BoundPlan(MemoryPlan plan, int[]?[] inputShapes, bool keep, int[]?[] outputShapes)
        {
            Plan = plan; _inputShapes = inputShapes; _keep = keep; OutputShapes = outputShapes;
        }

        public MemoryPlan Plan { get; }
        public int[]?[] OutputShapes { get; }
        public Tensor?[][] ForwardInputs { get; private set; } = [];
        public Tensor?[][] ForwardOutputs { get; private set; } = [];
        public BoundStep[] Backward { get; private set; } = [];
        private Dictionary<int, int> _stepOfNode = new();

        public bool Matches(int[]?[] shapes, bool keep) =>
            keep == _keep && shapes.Length == _inputShapes.Length
            && shapes.Zip(_inputShapes).All(p => p.First is null ? p.Second is null : p.Second is not null && p.First.AsSpan().SequenceEqual(p.Second));

        /// <summary>The saved inputs of <paramref name="node"/>'s backward (what a recomputation reads).</summary>
        public Tensor?[] SavedInputsOf(int node) => Backward[_stepOfNode[node]].Inputs;

        /// <summary>Creates the views into <paramref name="arena"/> (again after the arena grew).</summary>
        public void Bind(float[][] arena)
        {
            if (ReferenceEquals(arena, _arena)) return;
            _arena = arena;
            _external.Clear();
            var views = new Dictionary<(int, string), Tensor>();
            Tensor?[] Views(TensorRef[] refs)
            {
                var a = new Tensor?[refs.Length];
                for (int i = 0; i < refs.Length; i++) a[i] = View(refs[i], a, i);
                return a;
            }
            Tensor? View(TensorRef r, Tensor?[]? site, int index)
            {
                if (r.Home == TensorHome.None) return null;
                if (r.Home != TensorHome.Arena)
                {
                    if (site is null) throw new InvalidOperationException($"a planned {r.Home} tensor in a place only arena buffers can be.");
                    _external.Add((site, index, r));
                    return null;
                }
                var key = (r.Index, Tensor.FormatShape(r.Shape));
                if (views.TryGetValue(key, out var t)) return t;
                long offset = Plan.Offsets[r.Index];
                float[] chunk = arena.Length == 0 ? [] : arena[offset / ArenaLayout.ChunkFloats];
                t = Tensor.View(chunk, (int)(offset % ArenaLayout.ChunkFloats), r.Shape!);
                views.Add(key, t);
                return t;
            }
            ForwardInputs = Plan.ForwardInputs.Select(Views).ToArray();
            ForwardOutputs = Plan.ForwardOutputs.Select(Views).ToArray();
            Backward = Plan.Backward.Select(s => new BoundStep(
                Views(s.Inputs), Views(s.Outputs), Views(s.GradOutputs), Views(s.GradInputs),
                s.Recompute.Select(x => (x.Node, Views(x.Into))).ToArray(),
                Views(s.Accumulate.Select(x => x.Part).ToArray()), Views(s.Accumulate.Select(x => x.Sum).ToArray()))).ToArray();
            _stepOfNode = Plan.Backward.Select((s, k) => (s.Node, k)).ToDictionary(x => x.Node, x => x.k);
        }

        /// <summary>Puts this call's caller-side tensors into their places.</summary>
        public void Patch(Tensor?[] inputs, Tensor?[] outputs, Tensor?[] gradInputs, Tensor?[] gradOutputs)
        {
            foreach (var (array, index, r) in _external)
                array[index] = r.Home switch
                {
                    TensorHome.Input => inputs[r.Index],
                    TensorHome.Output => outputs[r.Index],
                    TensorHome.InputGradient => r.Index < gradInputs.Length ? gradInputs[r.Index] : null,
                    TensorHome.OutputGradient => r.Index < gradOutputs.Length ? gradOutputs[r.Index] : null,
                    _ => null,
                };
        }
    }

    /// <summary>One backward step's tensors.</summary>
    private sealed record BoundStep(Tensor?[] Inputs, Tensor?[] Outputs, Tensor?[] GradOutputs, Tensor?[] GradInputs,
        (int Node, Tensor?[] Into)[] Recompute, Tensor?[] Parts, Tensor?[] Sums);
}
