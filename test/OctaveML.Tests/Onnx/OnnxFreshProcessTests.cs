using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Runtime.InteropServices;
using Microsoft.ML;
using Microsoft.ML.Data;
using OctaveML.Models;
using OctaveML.Onnx;
using static OctaveML.Tests.Onnx.OnnxTestModels;

namespace OctaveML.Tests.Onnx;

/// <summary>
/// A model.zip saved here loads in a fresh process that references OctaveML but never calls
/// RegisterAssembly (test/OctaveML.ModelLoadCheck), and predicts what this process predicts.
/// </summary>
public sealed class OnnxFreshProcessTests : IDisposable
{
    private const int Channels = 3, Side = 17, Size = Channels * Side * Side;
    private readonly DirectoryInfo _temp = Directory.CreateTempSubdirectory("octaveml-fresh-test-");

    public void Dispose() => _temp.Delete(recursive: true);

    public sealed class Row
    {
        [VectorType(Size)]
        public float[] Image { get; set; } = [];
    }

    [Fact]
    public void A_saved_model_loads_and_predicts_the_same_in_a_fresh_process_without_RegisterAssembly()
    {
        var ml = new MLContext(seed: 1) { TempFilePath = _temp.FullName };
        var model = Randomised(new OctCifarResNet(8, numClasses: 4, alpha: 0.5, inChannels: Channels, seed: 31), seed: 32);
        var raw = Pixels(8, Channels, Side, Side, seed: 33);
        var rows = Enumerable.Range(0, raw.N).Select(i => new Row { Image = raw.Data.AsSpan(i * Size, Size).ToArray() }).ToArray();
        var data = ml.Data.LoadFromEnumerable(rows);
        string[] classes = ["north", "east", "south", "west"];
        var keys = new VBuffer<ReadOnlyMemory<char>>(classes.Length, classes.Select(c => c.AsMemory()).ToArray());
        var options = Options(model, Side, Side) with { ClassNames = classes, InputName = "Image", OutputName = "Probabilities" };
        CentreLogits(model, Normalise(raw, options.Mean, options.Std));
        var chain = OnnxScoringChain.Create(ml, OnnxExport.ToOnnx(model, options), data.Schema, "Image", "Probabilities", "Class", keys);

        var scored = chain.Transform(data);
        var labelled = ml.Transforms.Conversion.MapKeyToValue("Class").Fit(scored).Transform(scored);
        var here = labelled.GetColumn<ReadOnlyMemory<char>>("Class").Zip(labelled.GetColumn<float[]>("Probabilities"))
            .Select(p => (Label: p.First.ToString(), Scores: p.Second)).ToArray();
        string zip = Path.Combine(_temp.FullName, "model.zip");
        ml.Model.Save(chain, data.Schema, zip);
        ((IDisposable)chain).Dispose();
        string pixels = Path.Combine(_temp.FullName, "pixels.f32");
        File.WriteAllBytes(pixels, MemoryMarshal.AsBytes(raw.Data.AsSpan()).ToArray());

        var there = RunModelLoadCheck(zip, pixels, "Image", "Probabilities", "Class");

        there.Should().HaveCount(here.Length);
        for (int i = 0; i < here.Length; i++)
        {
            there[i].Label.Should().Be(here[i].Label, $"row {i}");
            MaxAbsDifference(there[i].Scores, here[i].Scores).Should().BeLessThanOrEqualTo(1e-6f, $"row {i}");
        }
        here.Select(p => p.Label).Distinct().Should().HaveCountGreaterThan(1, "the rows should not all predict one class");
    }

    /// <summary>Shifts fc.bias so each class's mean logit over <paramref name="images"/> is 0: a random network then predicts several classes.</summary>
    private static void CentreLogits(ImageClassifier model, OctaveML.Tensors.Tensor images)
    {
        var logits = EngineLogits(model, images);
        var bias = model.StateDict()["fc.bias"].Data;
        for (int c = 0; c < bias.Length; c++)
            bias[c] -= Enumerable.Range(0, images.N).Average(n => logits[n * bias.Length + c]);
    }

    private static (string Label, float[] Scores)[] RunModelLoadCheck(params string[] args)
    {
        string dll = typeof(OnnxFreshProcessTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "ModelLoadCheck").Value!;
        File.Exists(dll).Should().BeTrue($"{dll} is built with the tests (a ProjectReference)");
        var psi = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        psi.ArgumentList.Add(dll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        string stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        p.ExitCode.Should().Be(0, $"the fresh process must load and score the model; stderr:\n{stderr.Result}");
        return stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line =>
        {
            var parts = line.Split('\t');
            return (parts[0], parts[1].Split(' ').Select(s => float.Parse(s, CultureInfo.InvariantCulture)).ToArray());
        }).ToArray();
    }
}
