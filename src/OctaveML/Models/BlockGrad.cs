using OctaveML.Kernels;
using OctaveML.Nn;

namespace OctaveML.Models;

/// <summary>Gradient bookkeeping shared by the residual blocks.</summary>
internal static class BlockGrad
{
    /// <summary>Adds the identity path's gradient into the branch's (in place in <paramref name="branch"/>).</summary>
    public static OctaveTensor Sum(OctaveTensor branch, OctaveTensor identity)
    {
        ElementwiseKernel.AddInPlace(branch.High.Data, identity.High.Data);
        if (branch.Low is not null)
            ElementwiseKernel.AddInPlace(branch.Low.Data, identity.Low!.Data);
        return branch;
    }
}
