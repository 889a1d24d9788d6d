namespace OctaveML.Onnx;

/// <summary>
/// What an exported ONNX model consumes and is called: the input image size, the normalisation the
/// trainer applied (folded into the graph, so the model takes ExtractPixels' output as it is), the class
/// names and the input and output names (which become ML.NET column names).
/// </summary>
public sealed record OnnxExportOptions
{
    /// <summary>One name per class, in logit order; becomes the Score column's SlotNames.</summary>
    public required IReadOnlyList<string> ClassNames { get; init; }

    /// <summary>Input image height in pixels.</summary>
    public required int Height { get; init; }

    /// <summary>Input image width in pixels.</summary>
    public required int Width { get; init; }

    /// <summary>Per input channel, in the units of the input column: the graph computes (x - Mean) / Std before conv1.</summary>
    public required IReadOnlyList<float> Mean { get; init; }

    /// <summary>Per input channel, positive; see <see cref="Mean"/>.</summary>
    public required IReadOnlyList<float> Std { get; init; }

    /// <summary>The graph input: float [N, C*H*W], planar (all of channel 0, then channel 1, ...), as ExtractPixels writes it.</summary>
    public string InputName { get; init; } = "Features";

    /// <summary>The graph output: softmax probabilities float [N, classes].</summary>
    public string OutputName { get; init; } = "Score";
}
