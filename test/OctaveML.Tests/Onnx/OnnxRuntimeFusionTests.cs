using Microsoft.ML.OnnxRuntime;
using OctaveML.Models;
using OctaveML.Onnx;
using Xunit.Abstractions;
using static OctaveML.Tests.Onnx.OnnxTestModels;

namespace OctaveML.Tests.Onnx;

/// <summary>
/// The exported graph leaves ONNX Runtime's basic fusions open: once it has loaded a model, every
/// BatchNormalization and every BN-scale Mul is folded into its convolution and the scale arithmetic
/// is constant-folded away.
/// </summary>
public class OnnxRuntimeFusionTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(0.5)]
    [InlineData(0.0)]
    public void ONNX_Runtime_folds_every_batch_norm_into_its_convolution(double alpha)
    {
        var model = new OctResNet(26, numClasses: 10, alpha: alpha, stem: ResNetStem.Small);
        byte[] onnx = OnnxExport.ToOnnx(model, Options(model, 33, 33));
        int convolutions = model.StateDict().Keys.Count(k => k.EndsWith(".weight", StringComparison.Ordinal) && model.StateDict()[k].Rank == 4);

        var ops = Optimised(onnx).Graph.Node.GroupBy(n => n.OpType).ToDictionary(g => g.Key, g => g.Count());
        output.WriteLine(string.Join(", ", ops.Select(kv => $"{kv.Key} {kv.Value}")));
        ops.Should().NotContainKeys("BatchNormalization", "Mul", "Sqrt");
        ops["Conv"].Should().Be(convolutions);
    }

    private static global::Onnx.ModelProto Optimised(byte[] onnx)
    {
        string path = Path.Combine(Path.GetTempPath(), $"octaveml-optimised-{Guid.NewGuid():N}.onnx");
        try
        {
            using (var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_BASIC, OptimizedModelFilePath = path })
            using (new InferenceSession(onnx, options)) { }
            return global::Onnx.ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
        }
        finally { File.Delete(path); }
    }
}
