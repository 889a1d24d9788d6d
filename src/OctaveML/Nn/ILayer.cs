using OctaveML.Tensors;

namespace OctaveML.Nn;

/// <summary>A layer on plain tensors: its forward declared over graph values, and eager forward and backward.</summary>
public interface ILayer
{
    /// <summary>Declares the forward: records this layer's nodes on <paramref name="graph"/> and returns the output value.</summary>
    Value Forward(Graph graph, Value input);

    /// <summary>The output for <paramref name="input"/> (a fresh tensor); keeps what Backward needs.</summary>
    Tensor Forward(Tensor input);

    /// <summary>The gradient of the last Forward's input (a fresh tensor); adds into the parameters' gradients.</summary>
    Tensor Backward(Tensor gradOutput);
}

/// <summary>A layer on octave tensors (high and optional low frequency parts).</summary>
public interface IOctaveLayer
{
    /// <summary>Declares the forward: records this layer's nodes on <paramref name="graph"/> and returns the output values.</summary>
    OctaveValue Forward(Graph graph, OctaveValue input);

    /// <summary>The output for <paramref name="input"/> (fresh tensors); keeps what Backward needs.</summary>
    OctaveTensor Forward(OctaveTensor input);

    /// <summary>The gradients of the last Forward's input parts (fresh tensors); adds into the parameters' gradients.</summary>
    OctaveTensor Backward(OctaveTensor gradOutput);
}
