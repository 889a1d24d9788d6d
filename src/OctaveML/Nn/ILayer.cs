using OctaveML.Tensors;

namespace OctaveML.Nn;

/// <summary>A layer on plain tensors: explicit forward, and backward through the last forward.</summary>
public interface ILayer
{
    /// <summary>The output for <paramref name="input"/>; in training mode keeps what Backward needs.</summary>
    Tensor Forward(Tensor input);

    /// <summary>The gradient of the last Forward's input; adds into the parameters' gradients.</summary>
    Tensor Backward(Tensor gradOutput);
}

/// <summary>A layer on octave tensors (high and optional low frequency parts).</summary>
public interface IOctaveLayer
{
    /// <summary>The output for <paramref name="input"/>; in training mode keeps what Backward needs.</summary>
    OctaveTensor Forward(OctaveTensor input);

    /// <summary>The gradients of the last Forward's input parts; adds into the parameters' gradients.</summary>
    OctaveTensor Backward(OctaveTensor gradOutput);
}
