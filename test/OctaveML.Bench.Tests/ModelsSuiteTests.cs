using System.Globalization;
using OctaveML.Bench;
using OctaveML.Models;
using OctaveML.Ops;
using OctaveML.Tensors;

namespace OctaveML.Bench.Tests;

public class ModelsSuiteTests
{
    /// <summary>An interpreter that cannot exist, so the peer is unavailable whether or not this machine has torch.</summary>
    private static readonly string MissingPython = Path.Combine(Path.GetTempPath(), "no-such-python-" + Guid.NewGuid().ToString("N"), "python3");

    private static readonly string[] Tiny = ["--model", "oct-cifar-resnet", "--depth", "20", "--size", "16", "--batch-size", "4", "--steps", "1", "--warmup", "0"];

    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        int code = ModelsSuite.Run(args, o, e);
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
    [InlineData("--peers", "expected pytorch, libtorch", "--peers", "mxnet")]
    [InlineData("--peers", "named twice", "--peers", "libtorch,libtorch")]
    [InlineData("--libtorch-malloc", "needs libtorch among --peers", "--peers", "pytorch", "--libtorch-malloc")]
    [InlineData("--backend", "only with --child", "--backend", "torchsharp")]
    [InlineData("--backend", "expected managed or torchsharp", "--child", "--model", "oct-resnet", "--backend", "tensorflow")]
    [InlineData("--untuned-malloc", "only with --backend torchsharp", "--child", "--model", "oct-resnet", "--untuned-malloc")]
    public void A_bad_option_is_one_line_naming_the_option_with_exit_code_2(string option, string expected, params string[] args)
    {
        var (code, output, err) = Run(args);
        code.Should().Be(ModelsSuite.UsageError);
        output.Should().BeEmpty();
        err.TrimEnd().Should().NotContain("\n").And.StartWith("error: ").And.Contain(option).And.Contain(expected);
    }

    [Fact]
    public void No_model_runs_the_default_comparisons_on_two_threads()
    {
        var s = new ModelBenchSettings();
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
    public void One_model_gets_its_defaults_and_key(string model, int? depth, double? alpha, string key, int batch)
    {
        var s = new ModelBenchSettings { Model = model, Depth = depth, Alpha = alpha };
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
    public void Peer_names_round_trip(string name, int size, string model, int? depth, double alpha)
    {
        var c = BenchModel.FromPeerName(name, size, 8);
        c.Should().Be(new BenchModel(model, depth, alpha, size, 8));
        c.PeerName.Should().Be(name);
        c.Key.Should().Be($"{name}_{size}");
    }

    [Fact]
    public void An_unknown_peer_name_is_rejected()
    {
        var act = () => BenchModel.FromPeerName("oct_vgg16", 224, 16);
        act.Should().Throw<ArgumentException>().WithMessage("*oct_vgg16*");
    }

    [Fact]
    public void The_configuration_builds_the_peers_model()
    {
        var resnet = new BenchModel("oct-resnet", 50, 0, 224, 16).Create().Should().BeOfType<OctResNet>().Subject;
        (resnet.Depth, resnet.Alpha, resnet.Stem, resnet.InChannels, resnet.NumClasses).Should().Be((50, 0.0, ResNetStem.ImageNet, 3, 10));
        var cifar = new BenchModel("oct-cifar-resnet", null, 0.5, 28, 128).Create().Should().BeOfType<OctCifarResNet>().Subject;
        (cifar.Depth, cifar.Alpha, cifar.InChannels).Should().Be((20, 0.5, 3));
        new BenchModel("oct-resnet", 26, 0.5, 32, 8).Create().Should().BeOfType<OctResNet>().Which.Stem.Should().Be(ResNetStem.Small);
        new BenchModel("oct-mobilenet", null, 0.5, 224, 8).Create().Should().BeOfType<OctMobileNet>().Which.Alpha.Should().Be(0.5);
    }

    [Fact]
    public void The_peer_script_sits_next_to_the_program_and_the_reference_models_in_the_repository()
    {
        string script = PythonPeer.Script(ModelBenchmark.PeerScript);
        File.ReadAllText(script).Should().Contain("import torch, octaveml_ref");
        // model_peer.py imports tools/reference of the folder holding OctaveML.sln above it.
        var root = new DirectoryInfo(Path.GetDirectoryName(script)!);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "OctaveML.sln"))) root = root.Parent;
        root.Should().NotBeNull();
        File.Exists(Path.Combine(root!.FullName, "tools", "reference", "octaveml_ref.py")).Should().BeTrue();
    }

    [Theory]
    [InlineData("Traceback (most recent call last):\n  File \"model_peer.py\", line 19\nModuleNotFoundError: No module named 'torch'\n", true, "cannot import torch")]
    [InlineData("ModuleNotFoundError: No module named 'octaveml_ref'\n", true, "octaveml_ref.py")]
    [InlineData("Traceback (most recent call last):\nRuntimeError: out of memory\n", false, "exited with 1: RuntimeError: out of memory")]
    public void A_peer_failure_says_what_is_missing(string stderr, bool unavailable, string expected)
    {
        var e = PythonPeer.Failure("/usr/bin/python3", "model_peer.py", 1, stderr);
        e.Unavailable.Should().Be(unavailable);
        e.Message.Should().Contain(expected).And.NotContain("\n");
        e.Details.Should().Be(stderr);
    }

    [Fact]
    public void The_child_measures_our_side_in_process_and_reports_the_first_steps_loss()
    {
        var (code, output, err) = Run([ModelBenchmark.ChildOption, .. Tiny]);
        err.Should().BeEmpty();
        code.Should().Be(0);
        Figure.Value(output, "train_step_s").Should().BePositive();
        Figure.Value(output, "infer_step_s").Should().BePositive();
        Figure.Value(output, "peak_rss_mb").Should().BePositive();
        // One timed step, no warm-up: the loss printed is the initial model's cross-entropy on the suite's data.
        var config = new BenchModel("oct-cifar-resnet", 20, 0.5, 16, 4);
        var model = config.Create();
        model.Train();
        var rng = new Rng(0);
        var x = new Tensor(4, BenchModel.InChannels, 16, 16);
        rng.FillNormal(x.Data, 0, 1);
        var labels = new int[4];
        for (int i = 0; i < labels.Length; i++) labels[i] = rng.NextInt(BenchModel.Classes);
        var logits = model.Forward(x);
        float expected = CrossEntropyKernel.ForwardBackward(4, BenchModel.Classes, logits.Data, labels, new float[4 * BenchModel.Classes]);
        ((float)Figure.Value(output, "loss")).Should().Be(expected);
    }

    [Fact]
    public void The_libtorch_child_trains_the_same_model_from_the_same_weights()
    {
        var (managedCode, managed, managedErr) = Run([ModelBenchmark.ChildOption, .. Tiny]);
        var (code, output, err) = Run([ModelBenchmark.ChildOption, ModelBenchmark.BackendOption, LibtorchPeer.Backend, .. Tiny]);
        (managedCode, managedErr).Should().Be((0, ""));
        (code, err).Should().Be((0, ""));
        output.Should().Contain("backend libtorch 2.10").And.Contain("glibc malloc tuned");
        LibtorchPeer.Description(output).Version.Should().StartWith("2.10");
        Figure.Value(output, "train_step_s").Should().BePositive();
        Figure.Value(output, "train_cpu_s").Should().BePositive();
        Figure.Value(output, "infer_step_s").Should().BePositive();
        Figure.Value(output, "peak_rss_mb").Should().BePositive();
        Figure.Value(output, "parameters_mb").Should().Be(Figure.Value(managed, "parameters_mb"));
        // One step, no warm-up: both print the seed 0 model's cross-entropy on the same batch.
        Figure.Value(output, "loss").Should().BeApproximately(Figure.Value(managed, "loss"), 1e-5);
    }

    [Fact]
    public void The_speedup_child_alternates_the_model_and_its_alpha_zero_twin()
    {
        var (code, output, err) = Run([ModelBenchmark.ChildOption, ModelBenchmark.SpeedupOption, .. Tiny]);
        err.Should().BeEmpty();
        code.Should().Be(0);
        double plain = Figure.Value(output, "plain_step_s"), oct = Figure.Value(output, "oct_step_s");
        plain.Should().BePositive();
        oct.Should().BePositive();
        // One pair: the median ratio is that pair's ratio.
        Figure.Value(output, "speedup").Should().BeApproximately(plain / oct, 1e-9 * plain / oct);
    }

    [Theory]
    [InlineData("--speedup: only with --child", "--speedup", "--model", "oct-resnet")]
    [InlineData("--speedup: needs an --alpha other than 0", "--child", "--speedup", "--model", "oct-resnet", "--alpha", "0")]
    [InlineData("--speedup: measures our engine only", "--child", "--speedup", "--model", "oct-resnet", "--backend", "torchsharp")]
    public void Misusing_the_speedup_option_is_a_usage_error(string expected, params string[] args)
    {
        var (code, output, err) = Run(args);
        code.Should().Be(ModelsSuite.UsageError);
        output.Should().BeEmpty();
        err.Should().StartWith("error: ").And.Contain(expected);
    }

    [Fact]
    public void Without_the_pytorch_peer_our_figures_and_libtorchs_are_printed_and_the_error_names_the_interpreter()
    {
        var (code, output, err) = Run([.. Tiny, "--python", MissingPython]);
        code.Should().Be(ModelsSuite.PeerFailed);
        FigureValue(output, "models_threads").Should().Be(2);
        double train = FigureValue(output, "train_imgs_per_s_oct_resnet20_16"), infer = FigureValue(output, "infer_imgs_per_s_oct_resnet20_16");
        double rss = FigureValue(output, "peak_rss_mb_oct_resnet20_16");
        (train, infer, rss).Should().Match<(double, double, double)>(t => t.Item1 > 0 && t.Item2 > 0 && t.Item3 > 0);
        // libtorch (glibc_tuned, its users' default) beside ours: figures print 4 decimals, so ratios agree to 1e-3.
        output.Should().Contain("oct_resnet20_16: libtorch 2.10").And.Contain("glibc malloc tuned) with glibc_tuned: train ");
        double trainL = FigureValue(output, "train_imgs_per_s_libtorch_oct_resnet20_16"), inferL = FigureValue(output, "infer_imgs_per_s_libtorch_oct_resnet20_16");
        double rssL = FigureValue(output, "peak_rss_mb_libtorch_oct_resnet20_16");
        FigureValue(output, "train_ratio_vs_libtorch_oct_resnet20_16").Should().BeApproximately(train / trainL, 1e-3 * train / trainL);
        FigureValue(output, "infer_ratio_vs_libtorch_oct_resnet20_16").Should().BeApproximately(infer / inferL, 1e-3 * infer / inferL);
        rssL.Should().BePositive();
        FigureValue(output, "train_peak_rss_ratio_vs_libtorch_oct_resnet20_16").Should().BeApproximately(rss / rssL, 1e-3 * rss / rssL);
        FigureValue(output, "train_cpu_ratio_vs_libtorch_oct_resnet20_16").Should().BePositive();
        output.Should().NotContain("figure train_ratio_vs_pytorch").And.NotContain("_pytorch_oct_resnet20_16");
        err.Should().StartWith("error: PyTorch peer: ").And.Contain(MissingPython).And.Contain("does not exist").And.Contain("python3-torch");
        err.Should().NotContain("libtorch");
        err.Should().NotContain("   at "); // no stack trace
    }

    [Fact]
    public void A_libtorch_that_does_not_load_is_unavailable_in_one_line_and_the_rest_is_measured()
    {
        // The bench's managed assemblies without its native libraries: TorchSharp finds no libtorch next to them
        // (and, with NUGET_PACKAGES pointing nowhere, does not copy half a gigabyte out of the NuGet cache to try).
        string dir = Directory.CreateTempSubdirectory("octaveml-no-libtorch-").FullName;
        try
        {
            string bench = Path.GetDirectoryName(typeof(ModelBenchmark).Assembly.Location)!;
            foreach (var f in Directory.EnumerateFiles(bench).Where(f => f.EndsWith(".dll", StringComparison.Ordinal) || f.EndsWith(".json", StringComparison.Ordinal)))
                File.Copy(f, Path.Combine(dir, Path.GetFileName(f)));
            var broken = new LibtorchPeer(() =>
            {
                var psi = ChildProcess.Dotnet(Path.Combine(dir, "OctaveML.Bench.dll"));
                psi.Environment["NUGET_PACKAGES"] = Path.Combine(dir, "no-packages");
                return psi;
            });
            var oct = new BenchModel("oct-cifar-resnet", 20, 0.5, 16, 4);
            var o = new StringWriter();
            var failures = ModelBenchmark.Run([oct, oct with { Alpha = 0 }], new ModelBenchmarkOptions(1, 1, 0, MissingPython, [broken]), o);
            var e = failures.Should().ContainSingle().Subject; // tried once, then left out
            (e.Unavailable, e.Peer).Should().Be((true, LibtorchPeer.Label));
            e.Message.Should().StartWith("TorchSharp could not load libtorch: ").And.Contain("libLibTorchSharp.so").And.NotContain("\n");
            FigureValue(o.ToString(), "train_imgs_per_s_resnet20_16").Should().BePositive();
            FigureValue(o.ToString(), "oct_speedup_resnet20_16").Should().BePositive();
            o.ToString().Should().NotContain("libtorch_");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Libtorch_alone_with_its_malloc_comparison_prints_the_malloc_figures()
    {
        var (code, output, err) = Run([.. Tiny, "--peers", "libtorch", "--libtorch-malloc"]);
        (code, err).Should().Be((0, ""));
        output.Should().Contain("glibc malloc tuned / untouched (medians of 3 / 3 alternating processes)");
        FigureValue(output, "libtorch_malloc_speedup_oct_resnet20_16").Should().BePositive();
        FigureValue(output, "libtorch_malloc_cpu_speedup_oct_resnet20_16").Should().BePositive();
        FigureValue(output, "peak_rss_mb_libtorch_untuned_malloc_oct_resnet20_16").Should().BePositive();
        output.Should().NotContain("pytorch");
    }

    [Fact]
    public void An_octave_model_and_its_plain_twin_give_the_octave_speedup()
    {
        var oct = new BenchModel("oct-cifar-resnet", 20, 0.5, 16, 4);
        var o = new StringWriter();
        var failures = ModelBenchmark.Run([oct, oct with { Alpha = 0 }], new ModelBenchmarkOptions(1, 1, 0, MissingPython, [new PyTorchPeer(MissingPython)]), o);
        failures.Should().ContainSingle().Which.Unavailable.Should().BeTrue(); // tried once, then skipped
        FigureValue(o.ToString(), "train_imgs_per_s_resnet20_16").Should().BePositive();
        FigureValue(o.ToString(), "oct_speedup_resnet20_16").Should().BePositive();
    }
}
