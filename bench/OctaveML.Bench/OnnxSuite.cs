using Microsoft.ML.OnnxRuntime;
using OctaveML.Models;
using OctaveML.Onnx;

namespace OctaveML.Bench;

/// <summary>
/// The <c>onnx</c> suite: how fast ONNX Runtime scores the exported OctResNet-50 at 224 px, batch 16,
/// at alpha 0.5 and 0 (same process, alternating runs, medians), and whether the octave saving shows.
/// Usage: <c>dotnet run -c Release --project bench/OctaveML.Bench -- onnx [runs]</c>.
/// </summary>
public static class OnnxSuite
{
    private const int Batch = 16, Side = 224;

    public static void Run(string[] args)
    {
        int runs = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 9;
        var octave = Session(new OctResNet(50, numClasses: 1000, alpha: 0.5, seed: 1));
        var plain = Session(new OctResNet(50, numClasses: 1000, alpha: 0, seed: 1));
        var input = new float[Batch * 3 * Side * Side];
        var rng = new Random(1);
        for (int i = 0; i < input.Length; i++) input[i] = (float)(rng.NextDouble() * 255);

        using var x = OrtValue.CreateTensorValueFromMemory(input, [Batch, 3L * Side * Side]);
        using var runOptions = new RunOptions();
        double Time(InferenceSession s) => Figure.Seconds(() => { using var r = s.Run(runOptions, ["Features"], [x], ["Score"]); });
        for (int w = 0; w < 2; w++) { Time(octave.Session); Time(plain.Session); }
        var tOctave = new double[runs];
        var tPlain = new double[runs];
        for (int r = 0; r < runs; r++)
        {
            tOctave[r] = Time(octave.Session);
            tPlain[r] = Time(plain.Session);
        }
        double mOctave = Figure.Median(tOctave), mPlain = Figure.Median(tPlain);
        Figure.Print($"infer_imgs_per_s_onnxruntime_{octave.Key}", Batch / mOctave);
        Figure.Print($"infer_imgs_per_s_onnxruntime_{plain.Key}", Batch / mPlain);
        Figure.Print($"ort_oct_speedup_resnet50_{Side}", mPlain / mOctave);
        octave.Session.Dispose();
        plain.Session.Dispose();
    }

    private static (InferenceSession Session, string Key) Session(ImageClassifier model)
    {
        var options = new OnnxExportOptions
        {
            ClassNames = Enumerable.Range(0, model.NumClasses).Select(i => $"c{i}").ToArray(),
            Height = Side, Width = Side, Mean = [123.675f, 116.28f, 103.53f], Std = [58.395f, 57.12f, 57.375f],
        };
        return (new InferenceSession(OnnxExport.ToOnnx(model, options)), model.Spec!.Key);
    }
}
