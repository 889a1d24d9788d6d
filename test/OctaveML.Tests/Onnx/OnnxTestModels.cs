using System.IO.Compression;
using Microsoft.ML.OnnxRuntime;
using OctaveML.Interop;
using OctaveML.Models;
using OctaveML.Onnx;
using OctaveML.Tensors;
using OctaveML.Tests.Infrastructure;

namespace OctaveML.Tests.Onnx;

/// <summary>Models, inputs and scorers the ONNX tests share: golden weights, random BN statistics, engine and ONNX Runtime softmax.</summary>
internal static class OnnxTestModels
{
    /// <summary>A golden model (tools/golden/gen_models.py) with its PyTorch weights, and its golden input [2, C, H, W].</summary>
    public static (ImageClassifier Model, Tensor Input) Golden(string name)
    {
        ImageClassifier model = name switch
        {
            "oct_resnet50" => new OctResNet(50, numClasses: 10, alpha: 0.5, stem: ResNetStem.Small, inChannels: 3),
            "oct_mobilenet" => new OctMobileNet(numClasses: 10, alpha: 0.5),
            "oct_resnet20" => new OctCifarResNet(20, numClasses: 10, alpha: 0.5, inChannels: 1),
            _ => throw new ArgumentException(name),
        };
        string path = Path.Combine(Infrastructure.Golden.Folder, $"model_{name}.safetensors.gz");
        using var gz = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        var golden = SafeTensors.Read(gz, out _);
        var state = new Dictionary<string, Tensor>();
        foreach (var key in model.StateDict().Keys)
        {
            var t = golden[key];
            if (golden.TryGetValue("scale/" + key, out var scale))
            {
                t = t.Clone();
                for (int i = 0; i < t.Length; i++) t.Data[i] *= scale.Data[0];
            }
            state[key] = t;
        }
        model.LoadStateDict(state);
        return (model, golden["x"]);
    }

    /// <summary>
    /// Gives every batch norm non-trivial statistics and affine parameters, so eval mode is not the
    /// identity, and scales fc up so the probabilities spread instead of staying near uniform.
    /// </summary>
    public static ImageClassifier Randomised(ImageClassifier model, ulong seed)
    {
        var rng = new Rng(seed).AsRandom();
        float U(float lo, float hi) => lo + (hi - lo) * (float)rng.NextDouble();
        foreach (var (name, t) in model.StateDict())
        {
            if (name == "fc.weight")
                for (int i = 0; i < t.Length; i++) t.Data[i] *= 8;
            if (name.StartsWith("fc.", StringComparison.Ordinal) || t.Rank != 1) continue;
            var (lo, hi) = name.EndsWith(".running_mean", StringComparison.Ordinal) ? (-0.3f, 0.3f)
                : name.EndsWith(".running_var", StringComparison.Ordinal) ? (0.5f, 2f)
                : name.EndsWith(".bias", StringComparison.Ordinal) ? (-0.2f, 0.2f)
                : (0.6f, 1.4f); // BN weight
            for (int i = 0; i < t.Length; i++) t.Data[i] = U(lo, hi);
        }
        return model;
    }

    /// <summary>Uniform pixels in [0, 255), [n, c, h, w].</summary>
    public static Tensor Pixels(int n, int c, int h, int w, ulong seed)
    {
        var rng = new Rng(seed).AsRandom();
        var t = new Tensor(n, c, h, w);
        for (int i = 0; i < t.Length; i++) t.Data[i] = (float)(rng.NextDouble() * 255);
        return t;
    }

    /// <summary>ImageNet's mean and std in 0-255 units, for <paramref name="channels"/> channels.</summary>
    public static (float[] Mean, float[] Std) Normalisation(int channels) =>
        ([.. new[] { 123.675f, 116.28f, 103.53f }.Take(channels)], [.. new[] { 58.395f, 57.12f, 57.375f }.Take(channels)]);

    public static OnnxExportOptions Options(ImageClassifier model, int height, int width) => new()
    {
        ClassNames = Enumerable.Range(0, model.NumClasses).Select(i => $"class {i}").ToArray(),
        Height = height, Width = width,
        Mean = Normalisation(model.InChannels).Mean, Std = Normalisation(model.InChannels).Std,
    };

    /// <summary>(x - mean) / std per channel, in float, as the exported graph computes it.</summary>
    public static Tensor Normalise(Tensor raw, IReadOnlyList<float> mean, IReadOnlyList<float> std)
    {
        var x = raw.Clone();
        int plane = raw.H * raw.W;
        for (int i = 0; i < x.Length; i++)
        {
            int c = i / plane % raw.C;
            x.Data[i] = (x.Data[i] - mean[c]) / std[c];
        }
        return x;
    }

    /// <summary>The inverse of <see cref="Normalise"/>: pixels whose normalisation is (close to) <paramref name="x"/>.</summary>
    public static Tensor Denormalise(Tensor x, IReadOnlyList<float> mean, IReadOnlyList<float> std)
    {
        var raw = x.Clone();
        int plane = x.H * x.W;
        for (int i = 0; i < raw.Length; i++)
        {
            int c = i / plane % x.C;
            raw.Data[i] = raw.Data[i] * std[c] + mean[c];
        }
        return raw;
    }

    /// <summary>The engine's eval-mode softmax probabilities [N, classes] of normalised images.</summary>
    public static float[] EngineProbabilities(ImageClassifier model, Tensor normalised) =>
        Softmax(EngineLogits(model, normalised), model.NumClasses);

    /// <summary>Row-wise softmax of logits [N, k], in double.</summary>
    public static float[] Softmax(float[] logits, int k)
    {
        var p = new float[logits.Length];
        for (int n = 0; n < logits.Length / k; n++)
        {
            var row = logits.AsSpan(n * k, k);
            double max = double.NegativeInfinity, sum = 0;
            foreach (float v in row) max = Math.Max(max, v);
            for (int j = 0; j < k; j++) sum += Math.Exp(row[j] - max);
            for (int j = 0; j < k; j++) p[n * k + j] = (float)(Math.Exp(row[j] - max) / sum);
        }
        return p;
    }

    /// <summary>ONNX Runtime's output of an exported model for raw pixels [N, C, H, W] (fed as [N, C*H*W]).</summary>
    public static float[] OrtScores(byte[] onnx, Tensor raw, string input = "Features", string output = "Score") =>
        OrtRun(onnx, raw, input, [output])[0];

    /// <summary>ONNX Runtime's outputs <paramref name="outputs"/> for raw pixels [N, C, H, W].</summary>
    public static float[][] OrtRun(byte[] onnx, Tensor raw, string input, string[] outputs)
    {
        using var session = new InferenceSession(onnx);
        using var x = OrtValue.CreateTensorValueFromMemory(raw.Data, [raw.N, raw.Length / raw.N]);
        using var runOptions = new RunOptions();
        using var results = session.Run(runOptions, [input], [x], outputs);
        return results.Select(r => r.GetTensorDataAsSpan<float>().ToArray()).ToArray();
    }

    /// <summary>The exported model with the classifier's logits (the Gemm named "fc") as a second output, "fc".</summary>
    public static byte[] WithLogitsOutput(byte[] onnx)
    {
        var model = global::Onnx.ModelProto.Parser.ParseFrom(onnx);
        var logits = model.Graph.Output[0].Clone();
        logits.Name = "fc";
        model.Graph.Output.Add(logits);
        return Google.Protobuf.MessageExtensions.ToByteArray(model);
    }

    /// <summary>The engine's eval-mode logits [N, classes] of normalised images.</summary>
    public static float[] EngineLogits(ImageClassifier model, Tensor normalised)
    {
        model.Eval();
        return model.Forward(normalised).Data;
    }

    public static float MaxAbsDifference(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        a.Length.Should().Be(b.Length);
        float max = 0;
        for (int i = 0; i < a.Length; i++) max = Math.Max(max, Math.Abs(a[i] - b[i]));
        return max;
    }
}
