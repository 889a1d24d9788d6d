namespace OctaveML.Nn;

/// <summary>
/// The memory of one traced <see cref="Graph"/> at one input shape, planned once, as llm.c sizes its
/// activations up front: for every value the step that writes it, its last forward reader and whether a
/// backward reads it; activations live from their writer to their last reader (forward, or the backward
/// that saved them), BN + ReLU outputs are recomputed for backward instead of kept, each gradient lives
/// from its first contribution to the backward of the value's writer, and every buffer gets an offset in
/// one arena where buffers whose lifetimes do not overlap share memory (<see cref="ArenaLayout"/>). In
/// networks heavy in multiply-adds the cheapest convolutions' outputs (fewest multiply-adds per element) are
/// recomputed too, within <see cref="RecomputedMacsFraction"/> of the forward's work.
/// Time runs over forward steps 0..n-1, then backward steps n..2n-1 in reverse node order.
/// </summary>
internal sealed class MemoryPlan
{
    /// <summary>
    /// Saved outputs are recomputed for backward only when, all together, they hold at most this many elements
    /// per multiply-add of the forward: a recomputation is one elementwise pass, worth some tens of
    /// multiply-adds per element, so this keeps the added work to a few percent of the forward's. Measured on
    /// 2 cores: OctResNet-50 (0.9e-3) trains as fast as before planning with its BN + ReLU outputs recomputed;
    /// OctResNet-20 (2.8e-3) and OctMobileNet (1.1e-2) lost 4-11% and 7-10% of their step to it, so they keep them.
    /// </summary>
    public const double RecomputedElementsPerMac = 1.5e-3;

    /// <summary>
    /// Convolutions whose outputs are recomputed for backward may add at most this share of the forward's multiply-adds,
    /// taken cheapest first (fewest multiply-adds per element saved), and only where BN + ReLU outputs are recomputed:
    /// every saved activation is alive at the end of the forward, so each element not kept lowers the peak. Measured on
    /// OctResNet-50 at 224, batch 16, 2 Zen 3 cores: four stage-1 1x1 convolutions (3.2% of the forward), 105 MB less
    /// and no slower step. At 0.05 (137 MB less) the step was as fast once the arena staggered its buffers, within
    /// the noise; not taken without a clearer measurement.
    /// </summary>
    public const double RecomputedMacsFraction = 0.04;

    /// <summary>The backward of one node, with the recomputations before it and the gradient sums after it.</summary>
    internal sealed class BackwardStep(int node, int inputs, int outputs)
    {
        public int Node { get; } = node;
        public TensorRef[] Inputs { get; } = new TensorRef[inputs];
        public TensorRef[] Outputs { get; } = new TensorRef[outputs];
        public TensorRef[] GradOutputs { get; } = new TensorRef[outputs];
        public TensorRef[] GradInputs { get; } = new TensorRef[inputs];
        /// <summary>Earlier nodes to run again first, in order: (node, where each output goes, None where not rebuilt).</summary>
        public List<(int Node, TensorRef[] Into)> Recompute { get; } = new();
        /// <summary>Second and later contributions to a gradient: added into it after the backward.</summary>
        public List<(TensorRef Part, TensorRef Sum)> Accumulate { get; } = new();
    }

    private MemoryPlan(Graph graph, bool withBackward, TensorRef[][] forwardInputs, TensorRef[][] forwardOutputs,
        BackwardStep[] backward, long[] offsets, long floats, long peakLive)
    {
        Graph = graph; WithBackward = withBackward; ForwardInputs = forwardInputs; ForwardOutputs = forwardOutputs;
        Backward = backward; Offsets = offsets; ArenaFloats = floats; PeakLiveFloats = peakLive;
    }

    public Graph Graph { get; }

    /// <summary>True when activations are kept for a backward (a training forward).</summary>
    public bool WithBackward { get; }

    /// <summary>Per node, its forward inputs and outputs.</summary>
    public TensorRef[][] ForwardInputs { get; }
    public TensorRef[][] ForwardOutputs { get; }

    /// <summary>The backward steps in execution order (reverse node order; nodes without gradients are skipped).</summary>
    public BackwardStep[] Backward { get; }

    /// <summary>Each arena buffer's offset in floats.</summary>
    public long[] Offsets { get; }

    /// <summary>The arena size this plan needs.</summary>
    public long ArenaFloats { get; }

    /// <summary>The most floats alive at one time: the least any placement could use.</summary>
    public long PeakLiveFloats { get; }

    /// <summary>
    /// Plans <paramref name="graph"/> whose outputs are <paramref name="outputs"/> (value ids, -1 where absent).
    /// With <paramref name="withBackward"/>, activations are kept for a backward and gradients planned;
    /// <paramref name="inputGradients"/> says whether the graph's inputs need gradients (a layer run alone)
    /// or not (a network's images).
    /// </summary>
    public static MemoryPlan Create(Graph graph, IReadOnlyList<int> outputs, bool withBackward, bool inputGradients, PlanOptions options)
    {
        var nodes = graph.Nodes;
        int n = nodes.Count, values = graph.ValueCount;
        int Tf(int node) => node;
        int Tb(int node) => 2 * n - 1 - node;

        var writer = new (int Node, int Slot)[values];
        Array.Fill(writer, (-1, -1));
        var readers = new List<(int Node, int Slot)>[values];
        for (int v = 0; v < values; v++) readers[v] = new();
        for (int i = 0; i < n; i++)
        {
            for (int s = 0; s < nodes[i].Inputs.Length; s++)
                if (nodes[i].Inputs[s] >= 0) readers[nodes[i].Inputs[s]].Add((i, s));
            for (int j = 0; j < nodes[i].Outputs.Length; j++)
                if (nodes[i].Outputs[j] >= 0) writer[nodes[i].Outputs[j]] = (i, j);
        }
        var inputIndex = new int[values];
        var outputIndex = new int[values];
        Array.Fill(inputIndex, -1);
        Array.Fill(outputIndex, -1);
        for (int k = 0; k < graph.Inputs.Count; k++) inputIndex[graph.Inputs[k]] = k;
        for (int k = 0; k < outputs.Count; k++)
        {
            if (outputs[k] < 0) continue;
            if (inputIndex[outputs[k]] >= 0) throw new InvalidOperationException("a graph input cannot also be its output.");
            outputIndex[outputs[k]] = k;
        }
        bool External(int v) => inputIndex[v] >= 0 || outputIndex[v] >= 0;
        long Floats(int v) { long f = 1; foreach (int d in graph.ShapeOf(v)) f *= d; return f; }

        // Which values carry a gradient, which nodes run a backward.
        var needsGrad = new bool[values];
        var participates = new bool[n];
        foreach (int v in graph.Inputs) needsGrad[v] = withBackward && inputGradients;
        for (int i = 0; i < n; i++)
        {
            bool g = withBackward && (HasParameters(nodes[i].Op) || nodes[i].Inputs.Any(v => v >= 0 && needsGrad[v]));
            participates[i] = g;
            foreach (int v in nodes[i].Outputs) if (v >= 0) needsGrad[v] = g;
        }
        for (int v = 0; v < values; v++)
            if (needsGrad[v] && outputIndex[v] >= 0 && readers[v].Count > 0)
                throw new InvalidOperationException("a graph output that later nodes also read cannot take its gradient from the caller.");

        // When each value is read by a backward; which saved values are recomputed instead of kept.
        var savedUses = new List<int>[values];
        for (int v = 0; v < values; v++) savedUses[v] = new();
        for (int i = 0; i < n; i++)
        {
            if (!participates[i]) continue;
            var node = nodes[i];
            for (int s = 0; s < node.Inputs.Length; s++)
                if (node.Inputs[s] >= 0 && node.Op.SavesInput(s)) savedUses[node.Inputs[s]].Add(Tb(i));
            for (int j = 0; j < node.Outputs.Length; j++)
                if (node.Outputs[j] >= 0 && node.Op.SavesOutput(j)) savedUses[node.Outputs[j]].Add(Tb(i));
        }
        var recomputed = new bool[values];
        // Each node's forward multiply-adds: convolutions have some, the elementwise ops none.
        var nodeMacs = nodes.Select(node => (double)node.Op.ForwardMacs(node.Inputs.Select(u => u < 0 ? null : graph.ShapeOf(u)).ToArray())).ToArray();
        for (int i = 0; i < n && options.Recompute; i++)
        {
            var node = nodes[i];
            if (!participates[i] || node.Op is not IRecomputableOp op || nodeMacs[i] > 0) continue;
            // Its saved inputs must be kept (alive from forward through this node's backward).
            bool inputsKept = true;
            for (int s = 0; s < node.Inputs.Length; s++)
                if (node.Inputs[s] >= 0 && (!op.SavesInput(s) || recomputed[node.Inputs[s]])) inputsKept = false;
            if (!inputsKept) continue;
            for (int j = 0; j < node.Outputs.Length; j++)
            {
                int v = node.Outputs[j];
                if (v >= 0 && !External(v) && savedUses[v].Count > 0 && op.CanRecompute(j)) recomputed[v] = true;
            }
        }
        double recomputedElements = 0, macs = nodeMacs.Sum();
        for (int v = 0; v < values; v++) if (recomputed[v]) recomputedElements += Floats(v);
        if (recomputedElements > RecomputedElementsPerMac * macs) Array.Clear(recomputed);
        else if (recomputedElements > 0)
        {
            // The cheapest convolutions, whole (a kernel writes all its outputs): their inputs are kept or rebuilt first.
            var convolutions = new List<(int Node, double Macs, double Elements)>();
            for (int i = 0; i < n; i++)
            {
                var node = nodes[i];
                double m = nodeMacs[i];
                if (!participates[i] || m == 0 || node.Op is not IRecomputableOp op) continue;
                if (node.Inputs.Where((u, s) => u >= 0 && !op.SavesInput(s)).Any()) continue;
                var outs = node.Outputs.Where(v => v >= 0).ToArray();
                if (outs.Length == 0 || outs.Any(v => External(v) || savedUses[v].Count == 0) || node.Outputs.Where((v, j) => v >= 0 && !op.CanRecompute(j)).Any()) continue;
                convolutions.Add((i, m, outs.Sum(v => (double)Floats(v))));
            }
            double budget = RecomputedMacsFraction * macs;
            foreach (var (i, m, _) in convolutions.OrderBy(c => c.Macs / c.Elements).ThenBy(c => c.Node))
            {
                if (m > budget) break;
                budget -= m;
                foreach (int v in nodes[i].Outputs) if (v >= 0) recomputed[v] = true;
            }
        }

        // Forward buffers: writer to last forward reader, or to the last backward that reads a kept value.
        var buffers = new List<(int Start, int End, long Floats)>();
        var forwardBuffer = new int[values];
        Array.Fill(forwardBuffer, -1);
        for (int i = 0; i < n; i++)
        {
            var node = nodes[i];
            for (int j = 0; j < node.Outputs.Length; j++)
            {
                int v = node.Outputs[j];
                if (v < 0 || External(v)) continue;
                int end = Tf(i);
                foreach (var (r, _) in readers[v]) end = Math.Max(end, Tf(r));
                if (!recomputed[v]) foreach (int t in savedUses[v]) end = Math.Max(end, t);
                int u = node.Op.InPlaceInput(j) is int s and >= 0 ? node.Inputs[s] : -1;
                if (options.ReuseMemory && u >= 0 && !External(u) && buffers[forwardBuffer[u]].End == Tf(i)
                    && node.Inputs.Count(x => x == u) == 1 && Floats(u) == Floats(v))
                {
                    // The input dies here: the output is written over it.
                    int b = forwardBuffer[u];
                    buffers[b] = buffers[b] with { End = Math.Max(buffers[b].End, end) };
                    forwardBuffer[v] = b;
                }
                else
                {
                    forwardBuffer[v] = buffers.Count;
                    buffers.Add((Tf(i), end, Floats(v)));
                }
            }
        }
        TensorRef Forward(int v) =>
            v < 0 ? TensorRef.None
            : inputIndex[v] >= 0 ? new(TensorHome.Input, inputIndex[v], graph.ShapeOf(v))
            : outputIndex[v] >= 0 ? new(TensorHome.Output, outputIndex[v], graph.ShapeOf(v))
            : new(TensorHome.Arena, forwardBuffer[v], graph.ShapeOf(v));
        var forwardInputs = nodes.Select(x => x.Inputs.Select(Forward).ToArray()).ToArray();
        var forwardOutputs = nodes.Select(x => x.Outputs.Select(Forward).ToArray()).ToArray();

        // Backward: saved values (kept or recomputed), gradients (first contribution writes, later ones add).
        var steps = new List<BackwardStep>();
        var recomputeRef = new TensorRef?[values];
        var gradRef = new TensorRef?[values];
        var sums = new List<int>[values];   // times at which a later contribution is added into a gradient
        for (int v = 0; v < values; v++) sums[v] = new();
        var aliasCandidates = new List<(int Step, int Slot, int Same)>();
        for (int i = n - 1; i >= 0; i--)
        {
            if (!participates[i]) continue;
            var node = nodes[i];
            int t = Tb(i);
            var step = new BackwardStep(i, node.Inputs.Length, node.Outputs.Length);
            TensorRef Saved(int v)
            {
                if (!recomputed[v]) return Forward(v);
                if (recomputeRef[v] is { } r) return r;
                // The writer runs again: its saved inputs first (rebuilt too if they were), then all its rebuilt outputs at once.
                var (w, _) = writer[v];
                var wn = nodes[w];
                for (int s = 0; s < wn.Inputs.Length; s++)
                    if (wn.Inputs[s] >= 0 && wn.Op.SavesInput(s)) Saved(wn.Inputs[s]);
                var into = new TensorRef[wn.Outputs.Length];
                for (int j = 0; j < into.Length; j++)
                {
                    int u = wn.Outputs[j];
                    if (u < 0 || !recomputed[u]) { into[j] = TensorRef.None; continue; }
                    into[j] = new TensorRef(TensorHome.Arena, buffers.Count, graph.ShapeOf(u));
                    buffers.Add((t, savedUses[u].Max(), Floats(u)));
                    recomputeRef[u] = into[j];
                }
                step.Recompute.Add((w, into));
                return recomputeRef[v]!.Value;
            }
            for (int s = 0; s < node.Inputs.Length; s++)
                step.Inputs[s] = node.Inputs[s] >= 0 && node.Op.SavesInput(s) ? Saved(node.Inputs[s]) : TensorRef.None;
            for (int j = 0; j < node.Outputs.Length; j++)
            {
                int v = node.Outputs[j];
                step.Outputs[j] = v >= 0 && node.Op.SavesOutput(j) ? Saved(v) : TensorRef.None;
                if (v < 0) { step.GradOutputs[j] = TensorRef.None; continue; }
                if (outputIndex[v] >= 0) step.GradOutputs[j] = new(TensorHome.OutputGradient, outputIndex[v], graph.ShapeOf(v));
                else step.GradOutputs[j] = gradRef[v] ?? throw new InvalidOperationException(
                    $"output {j} of a {node.Op.GetType().Name} is never read: every computed value must reach the network's output.");
            }
            var created = new bool[node.Inputs.Length];
            for (int s = 0; s < node.Inputs.Length; s++)
            {
                int u = node.Inputs[s];
                if (u < 0 || (!needsGrad[u] && node.Op.SkipsInputGradient(s))) { step.GradInputs[s] = TensorRef.None; continue; }
                if (!needsGrad[u])
                {
                    // Nothing needs this gradient, but the op writes one: scratch for this step only.
                    step.GradInputs[s] = new TensorRef(TensorHome.Arena, buffers.Count, graph.ShapeOf(u));
                    buffers.Add((t, t, Floats(u)));
                    continue;
                }
                if (gradRef[u] is { } sum)
                {
                    var part = new TensorRef(TensorHome.Arena, buffers.Count, graph.ShapeOf(u));
                    buffers.Add((t, t, Floats(u)));
                    step.GradInputs[s] = part;
                    step.Accumulate.Add((part, sum));
                    sums[u].Add(t);
                    continue;
                }
                TensorRef first;
                if (inputIndex[u] >= 0) first = new(TensorHome.InputGradient, inputIndex[u], graph.ShapeOf(u));
                else
                {
                    first = new(TensorHome.Arena, buffers.Count, graph.ShapeOf(u));
                    buffers.Add((t, Tb(writer[u].Node), Floats(u)));
                    created[s] = true;
                }
                gradRef[u] = first;
                step.GradInputs[s] = first;
            }
            for (int s = 0; s < node.Inputs.Length; s++)
                if (created[s] && node.Op.SameGradientAs(s) is int same and >= 0 && created[same]) aliasCandidates.Add((steps.Count, s, same));
            steps.Add(step);
        }

        // An input whose gradient equals another's (a residual sum's two inputs) shares its buffer when no
        // later contribution lands in either while the other is still read.
        var root = Enumerable.Range(0, buffers.Count).ToArray();
        foreach (var (si, s, same) in aliasCandidates)
        {
            if (!options.ReuseMemory) break;
            var step = steps[si];
            int u = nodes[step.Node].Inputs[s], u0 = nodes[step.Node].Inputs[same];
            int a = step.GradInputs[s].Index, b = step.GradInputs[same].Index;
            if (Floats(u) != Floats(u0) || sums[u].Any(x => x < buffers[b].End) || sums[u0].Any(x => x < buffers[a].End)) continue;
            root[a] = b;
            buffers[b] = (Math.Min(buffers[a].Start, buffers[b].Start), Math.Max(buffers[a].End, buffers[b].End), buffers[b].Floats);
            buffers[a] = buffers[a] with { Floats = 0 };
        }
        TensorRef Resolve(TensorRef r)
        {
            if (r.Home != TensorHome.Arena) return r;
            int i = r.Index;
            while (root[i] != i) i = root[i];
            return r with { Index = i };
        }
        foreach (var step in steps)
        {
            for (int s = 0; s < step.GradInputs.Length; s++) step.GradInputs[s] = Resolve(step.GradInputs[s]);
            for (int j = 0; j < step.GradOutputs.Length; j++) step.GradOutputs[j] = Resolve(step.GradOutputs[j]);
            for (int k = 0; k < step.Accumulate.Count; k++)
                step.Accumulate[k] = (Resolve(step.Accumulate[k].Part), Resolve(step.Accumulate[k].Sum));
        }

        var layout = buffers.Select(b => options.ReuseMemory
            ? new ArenaLayout.Buffer(b.Start, b.End, b.Floats)
            : new ArenaLayout.Buffer(0, 2 * n, b.Floats)).ToList();
        var offsets = new long[layout.Count];
        long floats = ArenaLayout.Place(layout, offsets);
        return new MemoryPlan(graph, withBackward, forwardInputs, forwardOutputs, steps.ToArray(), offsets, floats, ArenaLayout.PeakLive(layout));
    }

    private static bool HasParameters(IOp op) => op is Module m && m.NamedParameters().Any();
}
