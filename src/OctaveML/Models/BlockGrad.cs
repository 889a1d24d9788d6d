using OctaveML.Nn;
using OctaveML.Ops;

namespace OctaveML.Models;

/// <summary>Gradient bookkeeping shared by the residual blocks.</summary>
internal static class BlockGrad
{
    /// <summary>
    /// The end of a block's backward: <paramref name="g"/> (the residual's gradient, which the branch has
    /// consumed) goes through the downsample path, or is the identity's gradient itself, and is added into
    /// the branch's input gradient <paramref name="branch"/>; then both are given back to the block's pool.
    /// </summary>
    public static OctaveTensor AddIdentity(Module block, OctaveTensor branch, OctaveTensor g, Sequential? downsample)
    {
        var gId = downsample is null ? g : downsample.Backward(g);
        var sum = Sum(branch, gId);
        block.Release(gId, g);
        block.Release(g);
        return sum;
    }

    /// <summary>Adds the identity path's gradient into the branch's (in place in <paramref name="branch"/>).</summary>
    public static OctaveTensor Sum(OctaveTensor branch, OctaveTensor identity)
    {
        ElementwiseKernel.AddInPlace(branch.High.Data, identity.High.Data);
        if (branch.Low is not null)
            ElementwiseKernel.AddInPlace(branch.Low.Data, identity.Low!.Data);
        return branch;
    }
}
