using OctaveML.Interop;
using OctaveML.Tensors;
using OctaveML.Training;

namespace OctaveML.Tests.Training;

public class CheckpointTests
{
    private static Checkpoint Sample()
    {
        var rng = new Rng(1);
        Tensor T(params int[] shape) { var t = new Tensor(shape); rng.FillNormal(t.Data, 0, 1); return t; }
        return new Checkpoint
        {
            State = new TrainingState
            {
                Epoch = 2, Batch = 3, Iteration = 19, BatchesPerEpoch = 8, EpochLossSum = 1.0 / 3, EpochCorrect = 70, EpochSeen = 96,
                BestMetric = 0.8125, BestEpoch = 1, EpochsWithoutImprovement = 0,
                History = [new EpochMetrics(0, 1.25, 0.5, 1.5, 0.25, 0.1), new EpochMetrics(1, 0.75, 0.75, 0.5, 0.8125, 0.05)],
                Options = new TrainerOptions { Epochs = 7, Optimizer = OptimizerKind.AdamW, LabelSmoothing = 0.1f, EarlyStopping = EarlyStoppingMetric.ValidationAccuracy },
            },
            Model = new Dictionary<string, Tensor> { ["fc.weight"] = T(4, 16), ["fc.bias"] = T(4), ["bn.num_batches_tracked"] = T() },
            Optimizer = new Dictionary<string, Tensor> { ["fc.weight.momentum_buffer"] = T(4, 16) },
            BestModel = new Dictionary<string, Tensor> { ["fc.weight"] = T(4, 16), ["fc.bias"] = T(4), ["bn.num_batches_tracked"] = T() },
        };
    }

    [Fact]
    public void Save_load_round_trips_every_tensor_and_the_state()
    {
        using var dir = new TempDir();
        var a = Sample();
        a.Save(dir["c.safetensors"]);
        var b = Checkpoint.Load(dir["c.safetensors"]);
        b.State.Should().BeEquivalentTo(a.State);
        b.State.EpochLossSum.Should().Be(1.0 / 3); // doubles survive the JSON exactly
        foreach (var (part, x, y) in new[] { ("model", a.Model, b.Model), ("optimizer", a.Optimizer, b.Optimizer), ("best", a.BestModel!, b.BestModel!) })
        {
            y.Keys.Should().Equal(x.Keys, part);
            foreach (var (k, t) in x)
            {
                y[k].ShapeString.Should().Be(t.ShapeString, k);
                y[k].Data.Should().Equal(t.Data, k);
            }
        }
        // A safetensors file any tool reads: the weights are plain "model/<name>" tensors.
        SafeTensors.Load(dir["c.safetensors"]).Should().ContainKey("model/fc.weight");
    }

    [Fact]
    public void Truncated_file_is_a_clear_error_naming_the_file()
    {
        using var dir = new TempDir();
        string path = dir["c.safetensors"];
        Sample().Save(path);
        var bytes = File.ReadAllBytes(path);
        foreach (int keep in new[] { 4, 100, bytes.Length - 10 })
        {
            File.WriteAllBytes(path, bytes.AsSpan(0, keep).ToArray());
            FluentActions.Invoking(() => Checkpoint.Load(path)).Should().Throw<CheckpointFormatException>()
                .Where(e => e.FileName == path && e.Message.Contains(path) && e.Message.Contains("ends inside"), $"kept {keep} bytes");
        }
    }

    [Fact]
    public void Corrupted_byte_fails_the_checksum()
    {
        using var dir = new TempDir();
        string path = dir["c.safetensors"];
        Sample().Save(path);
        var bytes = File.ReadAllBytes(path);
        bytes[^7] ^= 0x40; // inside the last tensor's data
        File.WriteAllBytes(path, bytes);
        FluentActions.Invoking(() => Checkpoint.Load(path)).Should().Throw<CheckpointFormatException>()
            .WithMessage($"{path}: *SHA-256*corrupted*");
    }

    [Fact]
    public void Foreign_files_are_rejected()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir["junk"], "definitely not a checkpoint");
        FluentActions.Invoking(() => Checkpoint.Load(dir["junk"])).Should().Throw<CheckpointFormatException>().WithMessage($"{dir["junk"]}: *");
        SafeTensors.Save(dir["plain.safetensors"], [new("w", new Tensor(2))]);
        FluentActions.Invoking(() => Checkpoint.Load(dir["plain.safetensors"])).Should().Throw<CheckpointFormatException>().WithMessage("*not a checkpoint*");
        FluentActions.Invoking(() => Checkpoint.Load(dir["missing"])).Should().Throw<FileNotFoundException>().WithMessage($"*{dir["missing"]}*");
    }

    [Fact]
    public void Killed_writer_leaves_the_last_good_checkpoint_loadable()
    {
        using var dir = new TempDir();
        string path = Checkpoint.PathIn(dir.Path);
        var good = Sample();
        good.Save(path);
        // What a kill mid-write leaves: a half-written temp file next to the good checkpoint.
        var bytes = File.ReadAllBytes(path);
        string leftover = path + ".0123456789abcdef0123456789abcdef.tmp";
        File.WriteAllBytes(leftover, bytes.AsSpan(0, bytes.Length / 2).ToArray());
        Checkpoint.Load(path).State.Iteration.Should().Be(19);
        // The next save replaces the checkpoint and clears the garbage.
        new Checkpoint { State = good.State with { Iteration = 20 }, Model = good.Model }.Save(path);
        Checkpoint.Load(path).State.Iteration.Should().Be(20);
        Directory.GetFiles(dir.Path).Should().Equal(path);
    }
}
