using Microsoft.ML.OnnxRuntime;
using OctaveML.Models;
using OctaveML.Onnx;
using Xunit.Abstractions;
using static OctaveML.Tests.Onnx.OnnxTestModels;

namespace OctaveML.Tests.Onnx;

/// <summary>
/// The exported graph leaves ONNX Runtime's basic fusions open: once it has loaded a model, every
/// BatchNormalization and every BN-scale Mul is folded into its convolution and the scale arithmetic
/// is constant-folded away; with all optimisations, no Add needs reshaping (its operands' shapes are declared).
/// </summary>
public class OnnxRuntimeFusionTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(0.5)]
    [InlineData(0.0)]
    public void ONNX_Runtime_folds_every_batch_norm_into_its_convolution(double alpha)
    {
        var model = new OctResNet(26, numClasses: 10, alpha: alpha, stem: ResNetStem.Small);
        int convolutions = model.StateDict().Keys.Count(k => k.EndsWith(".weight", StringComparison.Ordinal) && model.StateDict()[k].Rank == 4);

        var ops = OptimisedOps(model, 33, GraphOptimizationLevel.ORT_ENABLE_BASIC);
        ops.Should().NotContainKeys("BatchNormalization", "Mul", "Sqrt");
        ops["Conv"].Should().Be(convolutions);
    }

    [Fact]
    public void ONNX_Runtime_adds_octave_maps_without_reshaping_them()
    {
        // Where ONNX Runtime uses its blocked (NCHWc) layout, an Add whose operands it cannot prove equal in
        // shape is wrapped in Reshapes and kept out of the convolutions; only the input's own Reshape may remain.
        var model = new OctResNet(26, numClasses: 10, alpha: 0.5, stem: ResNetStem.ImageNet);
        var ops = OptimisedOps(model, 64, GraphOptimizationLevel.ORT_ENABLE_ALL);
        ops["Reshape"].Should().Be(1);
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(0.0)]
    public void ONNX_Runtime_fuses_every_sum_and_relu_into_a_convolution_but_one_add_a_block(double alpha)
    {
        // Each residual block's high output is h2h + (up(l2h) + shortcut): ONNX Runtime fuses the outer sum and the ReLU
        // into h2h, so at most one Add a block stays a node at alpha 0.5 (none where the shortcut is a convolution
        // that can take up(l2h) as its own sum, and none at alpha 0), and no ReLU does.
        var model = new OctResNet(26, numClasses: 10, alpha: alpha, stem: ResNetStem.ImageNet);
        var ops = OptimisedOps(model, 64, GraphOptimizationLevel.ORT_ENABLE_ALL);
        int octaveBlocks = 7; // OctResNet-26: 2 bottlenecks a stage; the last block's output is plain
        ops.GetValueOrDefault("Relu").Should().Be(0);
        ops.GetValueOrDefault("Add").Should().BeInRange(alpha > 0 ? 1 : 0, alpha > 0 ? octaveBlocks : 0);
    }

    /// <summary>Node counts by operator type of <paramref name="model"/>'s graph at <paramref name="size"/> px as ONNX Runtime optimised it (also printed).</summary>
    private Dictionary<string, int> OptimisedOps(ImageClassifier model, int size, GraphOptimizationLevel level)
    {
        var ops = Optimised(OnnxExport.ToOnnx(model, Options(model, size, size)), level).Graph.Node
            .GroupBy(n => n.OpType).ToDictionary(g => g.Key, g => g.Count());
        output.WriteLine(string.Join(", ", ops.Select(kv => $"{kv.Key} {kv.Value}")));
        return ops;
    }

    private static global::Onnx.ModelProto Optimised(byte[] onnx, GraphOptimizationLevel level)
    {
        string path = Path.Combine(Path.GetTempPath(), $"octaveml-optimised-{Guid.NewGuid():N}.onnx");
        try
        {
            using (var options = new SessionOptions { GraphOptimizationLevel = level, OptimizedModelFilePath = path })
            using (new InferenceSession(onnx, options)) { }
            return global::Onnx.ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
        }
        finally { File.Delete(path); }
    }
}
