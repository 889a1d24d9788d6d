using System.Diagnostics;
using System.Globalization;
using System.Text;
using OctaveML.Data;
using OctaveML.Models;
using OctaveML.Training;

namespace OctaveML.Tests.Packaging;

/// <summary>
/// Packs OctaveML and trains from a fresh console app that references only the package
/// (nuget/check-package.sh). The script works in its own temp folder, so it does not touch this
/// test run's bin/obj.
/// </summary>
public sealed class PackageConsumptionTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(6);

    /// <summary>The consumer program of check-package.sh, run here on the project's own build: its test accuracy.</summary>
    private static double ConsumerAccuracy(string repo)
    {
        string folder = Path.Combine(repo, "data", "fashion-mnist-small");
        var train = IdxDataset.LoadFolder(folder, train: true).Take(256);
        var test = IdxDataset.LoadFolder(folder, train: false);
        var model = new OctCifarResNet(depth: 8, numClasses: 10, alpha: 0.5, inChannels: 1, seed: 1);
        using var trainLoader = new DataLoader(train, new DataLoaderOptions { BatchSize = 8, Shuffle = true, Seed = 1 });
        using var testLoader = new DataLoader(test, new DataLoaderOptions { BatchSize = 100, Shuffle = false });
        new Trainer(new TrainerOptions
        {
            Epochs = 1, Optimizer = OptimizerKind.AdamW, LearningRate = 0.003, Schedule = ScheduleKind.Constant, WeightDecay = 0,
        }).Fit(model, trainLoader);
        return Trainer.Evaluate(model, testLoader).Accuracy;
    }

    [DotnetOnPathFact]
    [Trait("Category", "Packaging")]
    public void The_packed_package_trains_from_a_fresh_console_app_as_the_project_does()
    {
        string repo = RepoRoot();
        var psi = new ProcessStartInfo("bash", [Path.Combine(repo, "nuget", "check-package.sh")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = repo,
        };
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        // `dotnet test` exports the SDK's MSBuild locations; the nested builds must find their own.
        foreach (var name in new[] { "MSBuildExtensionsPath", "MSBuildSDKsPath", "MSBUILD_EXE_PATH", "MSBuildLoadMicrosoftTargetsReadOnly" })
            psi.Environment.Remove(name);

        var output = new StringBuilder();
        using var process = new Process { StartInfo = psi };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(Timeout))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            Assert.Fail($"check-package.sh did not finish within {Timeout.TotalMinutes} minutes:\n{output}");
        }
        process.WaitForExit(); // drains the redirected streams

        string log = output.ToString();
        process.ExitCode.Should().Be(0, "check-package.sh must succeed; its output:\n{0}", log);
        string? line = log.Split('\n').Select(l => l.TrimEnd('\r')).LastOrDefault(l => l.StartsWith("accuracy ", StringComparison.Ordinal));
        line.Should().NotBeNull("the consumer prints its test accuracy:\n{0}", log);
        log.Should().Contain("check-package: OK").And.Contain("mlnet accuracy ", "the consumer also runs the ML.NET program")
            .And.Contain("mlnet reload: a second process predicts the same for all 30 images");
        // Training is deterministic, so the packed library gives the bits of the project it was packed from.
        line.Should().Be("accuracy " + ConsumerAccuracy(repo).ToString("F4", CultureInfo.InvariantCulture));
    }

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "OctaveML.sln")) && File.Exists(Path.Combine(dir.FullName, "nuget", "check-package.sh")))
                return dir.FullName;
        throw new DirectoryNotFoundException($"no OctaveML.sln with nuget/check-package.sh above {AppContext.BaseDirectory}.");
    }
}

/// <summary>A fact that runs only when both `dotnet` and `bash` are on PATH (they are in CI).</summary>
public sealed class DotnetOnPathFactAttribute : FactAttribute
{
    public DotnetOnPathFactAttribute()
    {
        foreach (var tool in new[] { "dotnet", "bash" })
            if (!OnPath(tool))
            {
                Skip = $"`{tool}` is not on PATH: the package consumption check runs nuget/check-package.sh, which needs it.";
                return;
            }
    }

    private static bool OnPath(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Any(d => File.Exists(Path.Combine(d, tool)) || File.Exists(Path.Combine(d, tool + ".exe")));
}
