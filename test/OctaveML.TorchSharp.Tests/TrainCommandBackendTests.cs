using OctaveML.Samples.Commands;
using Xunit.Abstractions;

namespace OctaveML.TorchSharp.Tests;

/// <summary>The samples' <c>train --backend torchsharp</c>: the same run as the managed engine's, on libtorch.</summary>
public class TrainCommandBackendTests(ITestOutputHelper output)
{
    [Fact]
    public void Train_with_the_torchsharp_backend_follows_the_managed_run()
    {
        var settings = new TrainSettings { Depth = 8, Epochs = 1, MaxTrainImages = 200, BatchSize = 50, Threads = 2, Data = ShippedData() };
        var managedOut = new StringWriter();
        var torchOut = new StringWriter();
        var managed = TrainCommand.Execute(settings, managedOut, interactive: false);
        var torch = TrainCommand.Execute(settings with { Backend = "torchsharp" }, torchOut, interactive: false);

        torchOut.ToString().Should().Contain("libtorch 2.10").And.Contain("figure test_accuracy ");
        managedOut.ToString().Should().Contain("managed engine, 2 threads");
        double managedLoss = managed.Result.Last.TrainLoss, torchLoss = torch.Result.Last.TrainLoss;
        output.WriteLine($"one epoch: train loss managed {managedLoss:R}, libtorch {torchLoss:R}; test accuracy {managed.Test.MicroAccuracy} and {torch.Test.MicroAccuracy}");
        torchLoss.Should().BeApproximately(managedLoss, 1e-4 * managedLoss);
        torch.Test.LogLoss.Should().BeApproximately(managed.Test.LogLoss, 1e-3 * managed.Test.LogLoss);
        torch.Test.MicroAccuracy.Should().BeApproximately(managed.Test.MicroAccuracy, 2.0 / 500);
    }

    [Fact]
    public void Cuda_needs_the_torchsharp_backend()
    {
        FluentActions.Invoking(() => new TrainSettings { Device = "cuda" }.Validate())
            .Should().Throw<UsageException>().WithMessage("--device: got cuda; expected cpu with --backend managed*");
        FluentActions.Invoking(() => new TrainSettings { Backend = "onnx" }.Validate())
            .Should().Throw<UsageException>().WithMessage("--backend: got onnx; expected managed or torchsharp.");
    }

    private static string ShippedData()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "data", "fashion-mnist-small");
            if (Directory.Exists(candidate)) return candidate;
        }
        throw new DirectoryNotFoundException($"data/fashion-mnist-small not found above {AppContext.BaseDirectory}.");
    }
}
