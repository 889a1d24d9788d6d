#!/usr/bin/env bash
# Packs OctaveML and consumes the package from a fresh console app, as a user would:
# pack -> private feed -> `dotnet new console` -> `dotnet add package` -> train 1 epoch
# on 256 Fashion-MNIST images through the public API -> expect an "accuracy X" line
# (PackageConsumptionTests runs the same program on the project's own build and expects the same line).
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
using OctaveML.Data;
using OctaveML.Models;
using OctaveML.Training;

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
CS

# Pack, then a fresh console app on the package (nuget/consumer-app.sh), built in Release.
bash "$repo/nuget/consumer-app.sh" "$work" "$work/src/Program.cs"
app="$work/app"
nupkg="$(ls "$work"/feed/OctaveML.*.nupkg | grep -v '\.symbols\.nupkg$' | head -n 1)"
version="$(basename "$nupkg" .nupkg)"; version="${version#OctaveML.}"
cd "$app"
mkdir -p data
cp "$repo"/data/fashion-mnist-small/*.gz data/

echo "== run"
out="$(dotnet bin/Release/net10.0/PackageConsumer.dll "$app/data")"
echo "$out"
if ! grep -Eq '^accuracy (0|1)\.[0-9]+$' <<<"$out"; then
  echo "check-package: no 'accuracy X' line in the consumer's output" >&2
  exit 1
fi
echo "check-package: OK (OctaveML $version)"
