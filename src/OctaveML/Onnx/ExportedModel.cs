using OctaveML.Models;
using OctaveML.Tensors;

namespace OctaveML.Onnx;

/// <summary>
/// A trained network as <see cref="OnnxExport"/> wrote it and <see cref="OctaveModelFile"/> reads it back:
/// the ONNX bytes, what the model says about itself, and its full state dict by the reference's names.
/// </summary>
/// <param name="Onnx">The ONNX model, as embedded in the ML.NET model.zip.</param>
/// <param name="Metadata">Spec, class names, input size and normalisation.</param>
/// <param name="Weights">Every parameter and buffer by state-dict name, bit for bit as trained.</param>
public sealed record ExportedModel(byte[] Onnx, OnnxModelMetadata Metadata, IReadOnlyDictionary<string, Tensor> Weights)
{
    /// <summary>The network description.</summary>
    public ModelSpec Spec => Metadata.Spec;

    /// <summary>The engine's network with these weights (e.g. to fine-tune or to score without ONNX Runtime).</summary>
    public ImageClassifier ToModel()
    {
        var model = Spec.CreateModel();
        model.LoadStateDict(Weights);
        return model;
    }
}
