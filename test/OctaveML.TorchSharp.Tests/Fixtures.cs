using OctaveML.Models;
using OctaveML.Tensors;
using OctaveML.Training;

namespace OctaveML.TorchSharp.Tests;

/// <summary>The models, data and recipe the parity tests share.</summary>
internal static class Fixtures
{
    /// <summary>OctCifarResNet-20 at alpha 0.5: 16 channels split 8 + 8 (the shape oneDNN's AVX-512 gets wrong).</summary>
    public static readonly OctCifarResNetSpec CifarResNet20 = new() { Depth = 20, Alpha = 0.5, NumClasses = 10, InChannels = 1 };

    /// <summary>OctResNet-26, small stem: bottlenecks, strided octave convolutions, odd sizes (20, 10, 5, 3 px; low 10, 5, 3).</summary>
    public static readonly OctResNetSpec ResNet26 = new() { Depth = 26, Alpha = 0.5, Stem = ResNetStem.Small, NumClasses = 5, InChannels = 3 };

    /// <summary>OctMobileNet at width 0.25: depthwise octave convolutions.</summary>
    public static readonly OctMobileNetSpec MobileNet = new() { Alpha = 0.5, WidthMultiplier = 0.25, NumClasses = 6, InChannels = 3 };

    public static int SizeOf(ModelSpec spec) => spec switch { OctMobileNetSpec => 64, OctResNetSpec => 20, _ => 28 };

    /// <summary>Every trainable ingredient at once: Nesterov momentum, L2 decay (not on rank-1 parameters), label smoothing.</summary>
    public static TrainerOptions Sgd => new()
    {
        Epochs = 2, Optimizer = OptimizerKind.Sgd, LearningRate = 0.05, Momentum = 0.9, Nesterov = true, WeightDecay = 5e-4,
        NoWeightDecayOnBiasAndNorm = true, LabelSmoothing = 0.1f, Schedule = ScheduleKind.Cosine,
    };

    public static TrainerOptions AdamW => new()
    {
        Epochs = 2, Optimizer = OptimizerKind.AdamW, LearningRate = 1e-3, WeightDecay = 0.05, Schedule = ScheduleKind.OneCycle,
    };

    /// <summary>A batch of normal images and labels drawn from <paramref name="seed"/>.</summary>
    public static (Tensor Images, int[] Labels) Batch(ModelSpec spec, int n, ulong seed)
    {
        var rng = new Rng(seed);
        int size = SizeOf(spec);
        var images = new Tensor(n, spec.InChannels, size, size);
        rng.FillNormal(images.Data, 0, 1);
        var labels = new int[n];
        for (int i = 0; i < n; i++) labels[i] = rng.NextInt(spec.NumClasses);
        return (images, labels);
    }

    /// <summary>The largest |a - b| over every element.</summary>
    public static double MaxAbsDiff(Tensor a, Tensor b)
    {
        a.Length.Should().Be(b.Length);
        double m = 0;
        for (int i = 0; i < a.Length; i++) m = Math.Max(m, Math.Abs((double)a.Data[i] - b.Data[i]));
        return m;
    }

    /// <summary>The largest |x|.</summary>
    public static double MaxAbs(Tensor t)
    {
        double m = 0;
        foreach (float x in t.Data) m = Math.Max(m, Math.Abs(x));
        return m;
    }
}
