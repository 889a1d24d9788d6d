using OctaveML.Nn;
using OctaveML.Ops;
using OctaveML.Tensors;

namespace OctaveML.Models;

/// <summary>
/// relu(branch + identity) on both parts of an octave pair, the end of every residual block; keeps
/// the outputs as the ReLU masks for backward. Both paths carry a low part or neither does (the
/// reference's block configurations guarantee it). The sum is written over the branch: the branch
/// is a BN output without ReLU, which no backward reads, so the block's largest activation needs no
/// second copy (its array goes back to the pool when that BN's backward ends, after every reader).
/// </summary>
internal sealed class ResidualAdd(Module owner)
{
    private OctaveTensor _output;

    public OctaveTensor Forward(OctaveTensor branch, OctaveTensor identity)
    {
        CheckSame(branch.High, identity.High, "high");
        if (branch.Low is null != identity.Low is null)
            throw new InvalidOperationException("the residual branch and the identity disagree on having a low-frequency part.");
        if (branch.Low is not null) CheckSame(branch.Low, identity.Low!, "low");
        ElementwiseKernel.AddRelu(branch.High.Data, identity.High.Data, branch.High.Data);
        if (branch.Low is not null) ElementwiseKernel.AddRelu(branch.Low.Data, identity.Low!.Data, branch.Low.Data);
        _output = branch;
        return _output;
    }

    /// <summary>The gradient of the sum (shared by the branch and the identity path).</summary>
    public OctaveTensor Backward(OctaveTensor gradOutput)
    {
        var gh = owner.GradientBuffer(gradOutput.High.ShapeArray());
        ReluKernel.Backward(_output.High.Data, gradOutput.High.Data, gh.Data);
        Tensor? gl = null;
        if (_output.Low is not null)
        {
            gl = owner.GradientBuffer(_output.Low.ShapeArray());
            ReluKernel.Backward(_output.Low.Data, gradOutput.Low!.Data, gl.Data);
        }
        return new OctaveTensor(gh, gl);
    }

    private static void CheckSame(Tensor a, Tensor b, string part)
    {
        if (!a.SameShape(b))
            throw new InvalidOperationException($"residual {part} parts differ: branch {a.ShapeString}, identity {b.ShapeString}.");
    }
}
