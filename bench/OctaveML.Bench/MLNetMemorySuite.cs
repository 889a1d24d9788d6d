using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using OctaveML.Training;
using SkiaSharp;

namespace OctaveML.Bench;

/// <summary>
/// The <c>mlnet-memory</c> suite: the issue's memory case. Writes N photo-sized JPEGs (default 5,000 of
/// 320x240, five classes), then runs the ML.NET program: LoadImages, ResizeImages(224), ExtractPixels and
/// OctMobileNet (batch 16) for one epoch, then Evaluate on 100 of the images. Prints the process's peak
/// resident set (VmHWM) after each phase and the pixel cache's size.
/// Usage: <c>dotnet run -c Release --project bench/OctaveML.Bench -- mlnet-memory [--images N] [--size S] [--epochs E] [--folder DIR]</c>.
/// </summary>
public static class MLNetMemorySuite
{
    public sealed class Row
    {
        public string ImagePath { get; set; } = "";
        public string Label { get; set; } = "";
    }

    public static void Run(string[] args)
    {
        int images = Arg(args, "--images", 5000), size = Arg(args, "--size", 224), epochs = Arg(args, "--epochs", 1);
        string folder = ArgText(args, "--folder") ?? Path.Combine(Path.GetTempPath(), $"octaveml-mlnet-memory-{images}");
        var clock = Stopwatch.StartNew();
        var rows = WriteImages(folder, images);
        Report("images written", clock);

        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(rows);
        OctMobileNetTrainer trainer = null!;
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.LoadImages("Image", folder, "ImagePath"))
            .Append(ml.Transforms.ResizeImages("Image", size, size))
            .Append(ml.Transforms.ExtractPixels("Features", "Image"))
            .Append(trainer = ml.MulticlassClassification.Trainers.OctMobileNet(new OctMobileNetTrainer.Options
            {
                Alpha = 0.5f, Epoch = epochs, BatchSize = 16, ImageFolder = folder,
                MetricsCallback = m =>
                {
                    if (m.Message is { } note) { Console.WriteLine(note); Report("data read", clock); }
                    else if (m.Train is { Kind: ProgressKind.EpochEnd } || m.Train is { Batch: 0 or 20 or 50 or 100 or 200 or 300 }) { Console.WriteLine(m); Report("training", clock); }
                },
            }))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"));
        var model = pipeline.Fit(data);
        Report("fitted (training, ONNX export, scoring chain)", clock);
        var metrics = ml.MulticlassClassification.Evaluate(model.Transform(ml.Data.TakeRows(data, 100)));
        Report("evaluated 100 images", clock);

        var report = trainer.LastTrainingReport!;
        Console.WriteLine($"MicroAccuracy on 100 training images {metrics.MicroAccuracy:F3}; cache {(report.ByteCache ? "bytes" : "float32")}");
        Figure.Print("mlnet_memory.images", report.TrainingImages);
        Figure.Print("mlnet_memory.cache_mb", report.CacheBytes / 1e6);
        Figure.Print("mlnet_memory.float32_copy_mb", (double)report.TrainingImages * 3 * size * size * sizeof(float) / 1e6);
        Figure.Print("mlnet_memory.peak_rss_mb", Status("VmHWM") / 1024.0);
        Figure.Print("mlnet_memory.seconds", clock.Elapsed.TotalSeconds);
    }

    /// <summary>N JPEGs of 320x240 (reused when present): five classes of smooth colour fields with seeded noise and a class-specific stripe.</summary>
    private static List<Row> WriteImages(string folder, int count)
    {
        Directory.CreateDirectory(folder);
        var rows = new List<Row>(count);
        for (int i = 0; i < count; i++)
        {
            int cls = i % 5;
            string name = $"c{cls}/{i:D5}.jpg";
            rows.Add(new Row { ImagePath = name, Label = $"class{cls}" });
            string path = Path.Combine(folder, name);
            if (File.Exists(path)) continue;
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            var rgba = new byte[320 * 240 * 4];
            var rng = new Random(i);
            for (int y = 0; y < 240; y++)
                for (int x = 0; x < 320; x++)
                {
                    bool stripe = (cls * 40 + x + y * (cls - 2) + 640) % 64 < 12;
                    int n = rng.Next(48), o = (y * 320 + x) * 4;
                    (rgba[o], rgba[o + 1], rgba[o + 2], rgba[o + 3]) = stripe
                        ? ((byte)(200 + n / 2), (byte)(40 * cls + n), (byte)30, (byte)255)
                        : ((byte)(x * 200 / 320 + n), (byte)(y + n / 2), (byte)(50 * cls + n), (byte)255);
                }
            using var pixels = SKData.CreateCopy(rgba);
            using var image = SKImage.FromPixels(new SKImageInfo(320, 240, SKColorType.Rgba8888, SKAlphaType.Opaque), pixels, 320 * 4);
            using var jpeg = image.Encode(SKEncodedImageFormat.Jpeg, 85);
            File.WriteAllBytes(path, jpeg.ToArray());
        }
        return rows;
    }

    private static void Report(string phase, Stopwatch clock) =>
        Console.WriteLine(string.Format(CultureInfo.InvariantCulture, "[{0,7:F1} s] {1}: RSS {2:F0} MB, peak {3:F0} MB, managed heap {4:F0} MB, gen2 GCs {5}",
            clock.Elapsed.TotalSeconds, phase, Status("VmRSS") / 1024.0, Status("VmHWM") / 1024.0, GC.GetGCMemoryInfo().HeapSizeBytes / 1048576.0, GC.CollectionCount(2)));

    /// <summary>A kB figure of /proc/self/status (Linux).</summary>
    private static long Status(string key)
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith(key + ":", StringComparison.Ordinal))
                return long.Parse(line[(key.Length + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
        return -1;
    }

    private static int Arg(string[] args, string name, int fallback) =>
        ArgText(args, name) is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;

    private static string? ArgText(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}
