using System.Globalization;
using OctaveML.Models;
using OctaveML.Samples.Benchmarks;
using OctaveML.Samples.Commands;

namespace OctaveML.Tests.Samples;

public class BenchCommandTests
{
    /// <summary>An interpreter that cannot exist, so the peer is unavailable whether or not this machine has torch.</summary>
    private static readonly string MissingPython = Path.Combine(Path.GetTempPath(), "no-such-python-" + Guid.NewGuid().ToString("N"), "python3");

    private static readonly string[] Tiny = ["--model", "oct-cifar-resnet", "--depth", "20", "--size", "16", "--batch-size", "4", "--steps", "1", "--warmup", "0"];

    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        int code = Cli.Run(args, o, e);
        return (code, o.ToString(), e.ToString());
    }

    private static double FigureValue(string output, string name)
    {
        string prefix = $"figure {name} ";
        var line = output.Split('\n').Select(l => l.TrimEnd('\r')).SingleOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal));
        line.Should().NotBeNull($"the output should have a '{prefix}' line:\n{output}");
        return double.Parse(line![prefix.Length..], CultureInfo.InvariantCulture);
    }

    [Theory]
    [InlineData("--model", "oct-resnet, oct-cifar-resnet, oct-mobilenet", "--model", "resnet-9000")]
    [InlineData("--depth", "6n + 2", "--model", "oct-cifar-resnet", "--depth", "21")]
    [InlineData("--depth", "26, 50, 101, 152, 200", "--model", "oct-resnet", "--depth", "20")]
    [InlineData("--depth", "oct-mobilenet has one depth", "--model", "oct-mobilenet", "--depth", "50")]
    [InlineData("--depth", "needs --model", "--depth", "50")]
    [InlineData("--size", "needs --model", "--size", "32")]
    [InlineData("--alpha", "[0, 1)", "--model", "oct-resnet", "--alpha", "1")]
    [InlineData("--size", "[8, 1024]", "--model", "oct-resnet", "--size", "4")]
    [InlineData("--batch-size", "at least 1", "--model", "oct-resnet", "--batch-size", "0")]
    [InlineData("--threads", "at least 1", "--threads", "0")]
    [InlineData("--steps", "at least 1", "--steps", "0")]
    [InlineData("--warmup", "0 or more", "--warmup", "-1")]
    [InlineData("--steps", "expected an integer", "--steps", "many")]
    public void BadOptionIsOneLineNamingTheOptionWithExitCode2(string option, string expected, params string[] args)
    {
        var (code, output, err) = Run(["bench", .. args]);
        code.Should().Be(Cli.UsageError);
        output.Should().BeEmpty();
        err.TrimEnd().Should().NotContain("\n").And.StartWith("error: ").And.Contain(option).And.Contain(expected);
    }

    [Fact]
    public void NoModelRunsTheIssuesComparisonsOnTwoThreads()
    {
        var s = new BenchSettings();
        s.Validate();
        s.Threads.Should().Be(2);
        s.Configs().Select(c => (c.Key, c.BatchSize)).Should().Equal(
            ("oct_resnet50_224", 16), ("resnet50_224", 16), ("oct_mobilenet_224", 16), ("oct_resnet20_28", 128));
    }

    [Theory]
    [InlineData("oct-cifar-resnet", null, null, "oct_resnet20_28", 128)]
    [InlineData("oct-cifar-resnet", 56, 0.0, "resnet56_28", 128)]
    [InlineData("oct-cifar-resnet", 50, 0.5, "oct_cifar_resnet50_28", 128)] // not OctResNet-50's name
    [InlineData("oct-resnet", null, null, "oct_resnet26_224", 16)]
    [InlineData("oct-resnet", 50, 0.25, "oct_resnet50_alpha0.25_224", 16)]
    [InlineData("oct-mobilenet", null, 0.0, "mobilenet_224", 16)]
    public void OneModelGetsItsDefaultsAndKey(string model, int? depth, double? alpha, string key, int batch)
    {
        var s = new BenchSettings { Model = model, Depth = depth, Alpha = alpha };
        s.Validate();
        var c = s.Configs().Should().ContainSingle().Subject;
        c.Key.Should().Be(key);
        c.BatchSize.Should().Be(batch);
    }

    [Theory]
    [InlineData("oct_resnet50", 224, "oct-resnet", 50, 0.5)]
    [InlineData("resnet50", 224, "oct-resnet", 50, 0.0)]
    [InlineData("oct_mobilenet", 224, "oct-mobilenet", null, 0.5)]
    [InlineData("oct_resnet20", 28, "oct-cifar-resnet", 20, 0.5)]
    [InlineData("resnet110", 32, "oct-cifar-resnet", 110, 0.0)]
    [InlineData("oct_cifar_resnet50", 32, "oct-cifar-resnet", 50, 0.5)]
    public void PeerNamesRoundTrip(string name, int size, string model, int? depth, double alpha)
    {
        var c = BenchModel.FromPeerName(name, size, 8);
        c.Should().Be(new BenchModel(model, depth, alpha, size, 8));
        c.PeerName.Should().Be(name);
        c.Key.Should().Be($"{name}_{size}");
    }

    [Fact]
    public void UnknownPeerNameIsRejected()
    {
        var act = () => BenchModel.FromPeerName("oct_vgg16", 224, 16);
        act.Should().Throw<ArgumentException>().WithMessage("*oct_vgg16*");
    }

    [Fact]
    public void TheConfigurationBuildsThePeersModel()
    {
        var resnet = new BenchModel("oct-resnet", 50, 0, 224, 16).Create().Should().BeOfType<OctResNet>().Subject;
        (resnet.Depth, resnet.Alpha, resnet.Stem, resnet.InChannels, resnet.NumClasses).Should().Be((50, 0.0, ResNetStem.ImageNet, 3, 10));
        var cifar = new BenchModel("oct-cifar-resnet", null, 0.5, 28, 128).Create().Should().BeOfType<OctCifarResNet>().Subject;
        (cifar.Depth, cifar.Alpha, cifar.InChannels).Should().Be((20, 0.5, 3));
        new BenchModel("oct-resnet", 26, 0.5, 32, 8).Create().Should().BeOfType<OctResNet>().Which.Stem.Should().Be(ResNetStem.Small);
    }

    [Fact]
    public void ThePeerScriptIsFoundInTheRepository()
    {
        string? script = DatasetDetector.FindFileInRepository(ModelBenchmark.PeerScriptRelativePath);
        script.Should().NotBeNull();
        File.ReadAllText(script!).Should().Contain("octaveml_ref");
    }

    [Theory]
    [InlineData("Traceback (most recent call last):\n  File \"model_peer.py\", line 19\nModuleNotFoundError: No module named 'torch'\n", true, "cannot import torch")]
    [InlineData("ModuleNotFoundError: No module named 'octaveml_ref'\n", true, "octaveml_ref.py")]
    [InlineData("Traceback (most recent call last):\nRuntimeError: out of memory\n", false, "exited with 1: RuntimeError: out of memory")]
    public void PeerFailureSaysWhatIsMissing(string stderr, bool unavailable, string expected)
    {
        var e = PythonPeer.Failure("/usr/bin/python3", "model_peer.py", 1, stderr);
        e.Unavailable.Should().Be(unavailable);
        e.Message.Should().Contain(expected).And.NotContain("\n");
        e.Details.Should().Be(stderr);
    }

    [Fact]
    public void ChildMeasuresOurSideInProcess()
    {
        var (code, output, err) = Run(["bench", ModelBenchmark.ChildOption, .. Tiny]); // 2 threads, as the other sample tests
        err.Should().BeEmpty();
        code.Should().Be(0);
        Figure.Value(output, "train_step_s").Should().BePositive();
        Figure.Value(output, "infer_step_s").Should().BePositive();
        Figure.Value(output, "peak_rss_mb").Should().BePositive();
        float.IsFinite((float)Figure.Value(output, "loss")).Should().BeTrue();
    }

    [Fact]
    public void SpeedupChildAlternatesTheModelAndItsAlphaZeroTwin()
    {
        var (code, output, err) = Run(["bench", ModelBenchmark.ChildOption, ModelBenchmark.SpeedupOption, .. Tiny]);
        err.Should().BeEmpty();
        code.Should().Be(0);
        double plain = Figure.Value(output, "plain_step_s"), oct = Figure.Value(output, "oct_step_s");
        plain.Should().BePositive();
        oct.Should().BePositive();
        // One pair: the median ratio is that pair's ratio.
        Figure.Value(output, "speedup").Should().BeApproximately(plain / oct, 1e-9 * plain / oct);
    }

    [Theory]
    [InlineData("--speedup: only with --child", "bench", "--speedup", "--model", "oct-resnet")]
    [InlineData("--speedup: needs an --alpha other than 0", "bench", "--child", "--speedup", "--model", "oct-resnet", "--alpha", "0")]
    public void SpeedupOptionMisuseIsAUsageError(string expected, params string[] args)
    {
        var (code, output, err) = Run(args);
        code.Should().Be(Cli.UsageError);
        output.Should().BeEmpty();
        err.Should().StartWith("error: ").And.Contain(expected);
    }

    [Fact]
    public void WithoutThePeerOurFiguresArePrintedAndTheErrorNamesTheInterpreter()
    {
        var (code, output, err) = Run(["bench", .. Tiny, "--python", MissingPython]);
        code.Should().Be(BenchCommand.PeerFailed);
        FigureValue(output, "models_threads").Should().Be(2);
        FigureValue(output, "train_imgs_per_s_oct_resnet20_16").Should().BePositive();
        FigureValue(output, "infer_imgs_per_s_oct_resnet20_16").Should().BePositive();
        FigureValue(output, "peak_rss_mb_oct_resnet20_16").Should().BePositive();
        output.Should().NotContain("pytorch");
        err.Should().StartWith("error: PyTorch peer: ").And.Contain(MissingPython).And.Contain("does not exist").And.Contain("python3-torch");
        err.Should().NotContain("   at "); // no stack trace
    }

    [Fact]
    public void AnOctaveModelAndItsPlainTwinGiveTheOctaveSpeedup()
    {
        var oct = new BenchModel("oct-cifar-resnet", 20, 0.5, 16, 4);
        var o = new StringWriter();
        var failures = ModelBenchmark.Run([oct, oct with { Alpha = 0 }], new ModelBenchmarkOptions(1, 1, 0, MissingPython), o);
        failures.Should().ContainSingle().Which.Unavailable.Should().BeTrue(); // tried once, then skipped
        FigureValue(o.ToString(), "train_imgs_per_s_resnet20_16").Should().BePositive();
        FigureValue(o.ToString(), "oct_speedup_resnet20_16").Should().BePositive();
    }
}
