#!/usr/bin/env bash
# Packs OctaveML and consumes the package from a fresh console app, as a user would:
# pack -> private feed -> `dotnet new console` -> `dotnet add package` -> train 1 epoch
# on 256 Fashion-MNIST images through the public API -> expect an "accuracy X" line
# (PackageConsumptionTests runs the same program on the project's own build and expects the same line);
# then the issue's ML.NET program (LoadImages ... OctCifarResNet trainer, one epoch, Evaluate, Save, Load,
# PredictionEngine) on 30 PNGs of data/fashion-png -> expect an "mlnet accuracy X" line; a second process
# loads the saved model.zip and must print the same predictions for all 30 images.
# Everything happens under one temp folder (own artifacts, own global packages folder), so it
# can run inside `dotnet test` without touching the repo's bin/obj or the user's package cache.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/octaveml-pkgcheck.XXXXXX")"
keep="${OCTAVEML_KEEP_CHECK_DIR:-0}"
cleanup() { if [ "$keep" = 1 ]; then echo "kept $work"; else rm -rf "$work"; fi; }
trap cleanup EXIT

mkdir -p "$work/src"
cat > "$work/src/Program.cs" <<'CS'
using Microsoft.ML;
using Microsoft.ML.Data;
using OctaveML;
using OctaveML.Data;
using OctaveML.Models;
using OctaveML.Training;

// "predict IMAGES": a second process loads model.zip and predicts every image, printing the lines
// the first process printed after saving it.
if (args[0] == "predict")
{
    var reloaded = new MLContext(seed: 2);
    PrintPredictions(reloaded, reloaded.Model.Load("model.zip", out _), args[1]);
    return;
}

string folder = args[0];
var train = IdxDataset.LoadFolder(folder, train: true).Take(256);
var test = IdxDataset.LoadFolder(folder, train: false);

var model = new OctCifarResNet(depth: 8, numClasses: 10, alpha: 0.5, inChannels: 1, seed: 1);
using var trainLoader = new DataLoader(train, new DataLoaderOptions { BatchSize = 8, Shuffle = true, Seed = 1 });
using var testLoader = new DataLoader(test, new DataLoaderOptions { BatchSize = 100, Shuffle = false });

// Small batches and AdamW: 32 steps are enough to leave chance level (0.31 measured) and to
// settle the batch-norm running statistics that evaluation uses (8 SGD steps of 32 leave it at 0.10).
var trainer = new Trainer(new TrainerOptions
{
    Epochs = 1, Optimizer = OptimizerKind.AdamW, LearningRate = 0.003, Schedule = ScheduleKind.Constant, WeightDecay = 0,
});
var result = trainer.Fit(model, trainLoader);
var eval = Trainer.Evaluate(model, testLoader);
Console.WriteLine($"trained {result.History.Count} epoch(s): train loss {result.Last.TrainLoss:F4}, train accuracy {result.Last.TrainAccuracy:F4}");
Console.WriteLine($"test loss {eval.Loss:F4} on {eval.Images} images");
Console.WriteLine($"accuracy {eval.Accuracy:F4}");

// The issue's ML.NET program (a tiny network, one epoch): LoadImages, ResizeImages, ExtractPixels, the
// OctCifarResNet trainer, Evaluate, Save, Load and a PredictionEngine, with nothing but this package referenced.
string images = args[1];
var rows = Directory.GetDirectories(images).Order(StringComparer.Ordinal)
    .SelectMany(d => Directory.GetFiles(d, "*.png").Order(StringComparer.Ordinal)
        .Select(f => new ImageRow { ImagePath = Path.GetRelativePath(images, f), Label = Path.GetFileName(d) }))
    .ToList();
var ml = new MLContext(seed: 1);
IDataView data = ml.Data.LoadFromEnumerable(rows);
var split = ml.Data.TrainTestSplit(data, testFraction: 0.2);
var pipeline = ml.Transforms.Conversion.MapValueToKey("Label")
    .Append(ml.Transforms.LoadImages("Image", images, "ImagePath"))
    .Append(ml.Transforms.ResizeImages("Image", 16, 16))
    .Append(ml.Transforms.ExtractPixels("Features", "Image"))
    .Append(ml.MulticlassClassification.Trainers.OctCifarResNet(new OctCifarResNetTrainer.Options
        { Depth = 8, Epoch = 1, BatchSize = 8, LearningRate = 0.1f, ImageFolder = images }))
    .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"));
ITransformer fitted = pipeline.Fit(split.TrainSet);
MulticlassClassificationMetrics metrics = ml.MulticlassClassification.Evaluate(fitted.Transform(split.TestSet));
ml.Model.Save(fitted, split.TrainSet.Schema, "model.zip");
PrintPredictions(ml, ml.Model.Load("model.zip", out _), images);
Console.WriteLine($"mlnet accuracy {metrics.MicroAccuracy:F4}");

// "mlnet prediction FILE LABEL SCORES" for every image, from a PredictionEngine over a loaded model.
static void PrintPredictions(MLContext ml, ITransformer model, string images)
{
    var engine = ml.Model.CreatePredictionEngine<ImageRow, ImagePrediction>(model);
    foreach (var file in Directory.GetFiles(images, "*.png", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
    {
        var p = engine.Predict(new ImageRow { ImagePath = file });
        Console.WriteLine($"mlnet prediction {Path.GetRelativePath(images, file)} {p.PredictedLabel} {string.Join(" ", p.Score.Select(v => v.ToString("R")))}");
    }
}

public sealed class ImageRow
{
    public string ImagePath { get; set; } = "";
    public string Label { get; set; } = "";
}

public sealed class ImagePrediction
{
    public string PredictedLabel { get; set; } = "";
    public float[] Score { get; set; } = [];
}
CS

# Pack, then a fresh console app on the package (nuget/consumer-app.sh), built in Release.
bash "$repo/nuget/consumer-app.sh" "$work" "$work/src/Program.cs"
app="$work/app"
nupkg="$(ls "$work"/feed/OctaveML.*.nupkg | grep -v '\.symbols\.nupkg$' | head -n 1)"
version="$(basename "$nupkg" .nupkg)"; version="${version#OctaveML.}"
cd "$app"
mkdir -p data
cp "$repo"/data/fashion-mnist-small/*.gz data/
# The ML.NET program's images: 15 PNGs of each of two classes.
for cls in Bag Trouser; do
  mkdir -p "images/$cls"
  for i in $(seq 0 14); do cp "$repo/data/fashion-png/$cls/$i.png" "images/$cls/"; done
done

echo "== run"
out="$(dotnet bin/Release/net10.0/PackageConsumer.dll "$app/data" "$app/images")"
echo "$out"
if ! grep -Eq '^accuracy (0|1)\.[0-9]+$' <<<"$out"; then
  echo "check-package: no 'accuracy X' line in the consumer's output" >&2
  exit 1
fi
if ! grep -Eq '^mlnet accuracy (0|1)\.[0-9]+$' <<<"$out"; then
  echo "check-package: no 'mlnet accuracy X' line in the consumer's output" >&2
  exit 1
fi
# A second process loads the saved model.zip and must predict exactly what the first one did.
second="$(dotnet bin/Release/net10.0/PackageConsumer.dll predict "$app/images")"
first_predictions="$(grep '^mlnet prediction ' <<<"$out")"
[ "$(wc -l <<<"$first_predictions")" -eq 30 ] || { echo "check-package: expected 30 predictions, got: $first_predictions" >&2; exit 1; }
if [ "$first_predictions" != "$(grep '^mlnet prediction ' <<<"$second")" ]; then
  echo "check-package: the reloaded model predicts differently in a second process:" >&2
  diff <(echo "$first_predictions") <(grep '^mlnet prediction ' <<<"$second") >&2 || true
  exit 1
fi
echo "mlnet reload: a second process predicts the same for all 30 images"
echo "check-package: OK (OctaveML $version)"
