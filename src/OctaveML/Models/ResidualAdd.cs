using OctaveML.Nn;
using OctaveML.Ops;
using OctaveML.Tensors;

namespace OctaveML.Models;

/// <summary>
/// relu(branch + identity) on both parts of an octave pair, the end of every residual block (the
/// reference's <c>F.relu(h + id_h)</c>): one node per part. Both paths carry a low part or neither
/// does (the reference's block configurations guarantee it).
/// </summary>
internal sealed class ResidualAdd
{
    private readonly AddRelu _high = new(), _low = new();

    public OctaveValue Forward(Graph graph, OctaveValue branch, OctaveValue identity)
    {
        if (branch.Low is null != identity.Low is null)
            throw new InvalidOperationException("the residual branch and the identity disagree on having a low-frequency part.");
        var high = _high.Forward(graph, branch.High, identity.High, "high");
        Value? low = branch.Low is { } b ? _low.Forward(graph, b, identity.Low!.Value, "low") : null;
        return new OctaveValue(high, low);
    }

    /// <summary>
    /// y = relu(a + b). The sum is written over a (the branch's last BN output, which no backward reads, so the
    /// block's largest activation needs no second buffer); backward reads y as the mask, and both inputs get
    /// the same gradient, which the executor lets them share.
    /// </summary>
    private sealed class AddRelu : IOp
    {
        public Value Forward(Graph graph, Value a, Value b, string part)
        {
            if (!a.Shape.SequenceEqual(b.Shape))
                throw new InvalidOperationException($"residual {part} parts differ: branch {a.ShapeString}, identity {b.ShapeString}.");
            return graph.Add(this, [a, b], [a.ShapeArray()])[0]!.Value;
        }

        public bool SavesInput(int input) => false;
        public bool SavesOutput(int output) => true;
        public int InPlaceInput(int output) => 0;
        public int SameGradientAs(int input) => input == 1 ? 0 : -1;
        public bool SkipsInputGradient(int input) => true;

        public void Forward(ReadOnlySpan<Tensor?> inputs, ReadOnlySpan<Tensor?> outputs) =>
            ElementwiseKernel.AddRelu(inputs[0]!.Span, inputs[1]!.Span, outputs[0]!.Span);

        public void Backward(ReadOnlySpan<Tensor?> inputs, ReadOnlySpan<Tensor?> outputs, ReadOnlySpan<Tensor?> gradOutputs, ReadOnlySpan<Tensor?> gradInputs)
        {
            var (ga, gb) = (gradInputs[0], gradInputs[1]);
            var first = ga ?? gb;
            if (first is null) return;
            ReluKernel.Backward(outputs[0]!.Span, gradOutputs[0]!.Span, first.Span);
            if (gb is not null && !ReferenceEquals(gb, first)) first.Span.CopyTo(gb.Span);
        }
    }
}
