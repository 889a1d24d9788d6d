using OctaveML.Interop;
using OctaveML.Models;
using OctaveML.Tensors;
using OctaveML.Tests.Infrastructure;
using OctaveML.Tests.Training;
using OctaveML.Training;

namespace OctaveML.Tests.Interop;

/// <summary>
/// InitialWeights: PyTorch-written weights give PyTorch's logits through our models; a head for
/// another class count is re-initialised; every other mismatch or unreadable file leaves the model as it was.
/// </summary>
public class InitialWeightsTests
{
    private static OctCifarResNet Resnet20(int classes = 10, double alpha = 0.5) => new(20, numClasses: classes, alpha: alpha, inChannels: 1, seed: 3);

    private static OctResNet Resnet26() => new(26, numClasses: 10, alpha: 0.5, stem: ResNetStem.Small, inChannels: 1, seed: 3);

    private static Dictionary<string, float[]> Snapshot(ImageClassifier model) =>
        model.StateDict().ToDictionary(kv => kv.Key, kv => (float[])kv.Value.Data.Clone());

    private static void AssertUnchanged(ImageClassifier model, Dictionary<string, float[]> before)
    {
        foreach (var (name, t) in model.StateDict())
            t.Data.Should().Equal(before[name], $"{name} must keep its value");
    }

    public static TheoryData<string, string, WeightsFormat> PyTorchModels => new()
    {
        { "oct_resnet20_random_legacy.pth", "resnet20", WeightsFormat.PyTorchLegacy },
        { "oct_resnet20_trained.pth", "resnet20", WeightsFormat.PyTorchZip },
        { "oct_resnet20_trained_wrapped_legacy.pth.tar", "resnet20", WeightsFormat.PyTorchLegacy },
        { "oct_resnet26_half.pth", "resnet26", WeightsFormat.PyTorchZip },
    };

    [Theory]
    [MemberData(nameof(PyTorchModels))]
    public void Both_formats_give_pytorch_logits(string file, string model, WeightsFormat format)
    {
        using var dir = new TempDir();
        string path = PyTorchFiles.Extract(file, dir.Path);
        ImageClassifier net = model == "resnet20" ? Resnet20() : Resnet26();

        var report = InitialWeights.Load(net, path);

        report.Format.Should().Be(format);
        report.HeadReinitialized.Should().BeFalse();
        report.Loaded.Should().Equal(net.StateDict().Keys.Where(k => !k.EndsWith(".num_batches_tracked", StringComparison.Ordinal)));
        report.Ignored.Should().NotBeEmpty().And.OnlyContain(k => k.EndsWith(".num_batches_tracked", StringComparison.Ordinal));
        net.Eval();
        var logits = net.Forward(PyTorchFiles.Expected["x/" + model]);
        Close.Assert(logits, PyTorchFiles.Expected["logits/" + file[..file.IndexOf('.')]],
            $"{file} eval logits", rtol: 1e-4f, atol: 1e-4f);
    }

    [Fact]
    public void Safetensors_weights_load_the_same_way()
    {
        using var dir = new TempDir();
        SafeTensors.Save(dir["w.safetensors"], PyTorchFiles.Read("oct_resnet20_trained.pth"));
        var net = Resnet20();

        InitialWeights.Load(net, dir["w.safetensors"]).Format.Should().Be(WeightsFormat.SafeTensors);

        net.Eval();
        Close.Assert(net.Forward(PyTorchFiles.Expected["x/resnet20"]), PyTorchFiles.Expected["logits/oct_resnet20_trained"],
            "safetensors eval logits", rtol: 1e-4f, atol: 1e-4f);
    }

    [Fact]
    public void A_head_for_another_class_count_is_reinitialised_and_everything_else_loaded()
    {
        using var dir = new TempDir();
        string path = PyTorchFiles.Extract("oct_resnet20_trained.pth", dir.Path);
        var file = PyTorchFiles.Read("oct_resnet20_trained.pth");
        var net = Resnet20(classes: 4);
        var freshHead = Snapshot(net).Where(kv => kv.Key.StartsWith("fc.", StringComparison.Ordinal)).ToList();

        var report = InitialWeights.Load(net, path);

        report.HeadReinitialized.Should().BeTrue();
        report.FileNumClasses.Should().Be(10);
        report.Loaded.Should().NotContain(["fc.weight", "fc.bias"]).And.Contain("layer3.2.conv2.bn_h.running_var");
        var state = net.StateDict();
        foreach (var (name, fresh) in freshHead) state[name].Data.Should().Equal(fresh, $"{name} keeps the model's own init");
        foreach (var name in report.Loaded) state[name].Data.Should().Equal(file[name].Data, name);
    }

    [Fact]
    public void Missing_unexpected_and_misshaped_names_are_listed_and_nothing_is_loaded()
    {
        using var dir = new TempDir();
        var weights = PyTorchFiles.Read("oct_resnet20_trained.pth");
        weights.Remove("layer2.1.conv1.bn_l.running_mean");
        weights.Remove("bn1.weight");
        weights["layer9.0.extra.weight"] = new Tensor(3);
        weights["conv1.weight"] = new Tensor(16, 1, 5, 5);
        weights["fc.bias"] = new Tensor(7); // with fc.weight still [10, 64]: not a clean class-count change
        string path = dir["bad.safetensors"];
        SafeTensors.Save(path, weights);
        var net = Resnet20();
        var before = Snapshot(net);

        var error = FluentActions.Invoking(() => InitialWeights.Load(net, path)).Should().Throw<WeightsMismatchException>().Which;

        error.FileName.Should().Be(path);
        error.Missing.Should().BeEquivalentTo("layer2.1.conv1.bn_l.running_mean", "bn1.weight");
        error.Unexpected.Should().Equal("layer9.0.extra.weight");
        error.MisShaped.Should().BeEquivalentTo("conv1.weight: [16, 1, 5, 5] vs [16, 1, 3, 3]", "fc.bias: [7] vs [10]");
        error.Message.Should().StartWith($"{path} does not fit the OctCifarResNet: 2 missing [")
            .And.Contain("1 unexpected [layer9.0.extra.weight]").And.Contain("conv1.weight: [16, 1, 5, 5] vs [16, 1, 3, 3]")
            .And.EndWith("nothing was loaded.");
        AssertUnchanged(net, before);
    }

    [Fact]
    public void Weights_of_another_architecture_list_the_first_ten_names_and_counts()
    {
        using var dir = new TempDir();
        string path = PyTorchFiles.Extract("oct_resnet20_trained.pth", dir.Path);
        var net = new OctCifarResNet(32, numClasses: 10, alpha: 0.25, inChannels: 1, seed: 3);
        var before = Snapshot(net);

        var error = FluentActions.Invoking(() => InitialWeights.Load(net, path)).Should().Throw<WeightsMismatchException>().Which;

        error.Missing.Should().Contain("layer1.3.conv1.conv.conv_h2h.weight");
        error.MisShaped.Should().HaveCountGreaterThan(10);
        error.Message.Should().Contain($"{error.MisShaped.Count} with another shape (file vs model) [")
            .And.Contain($", and {error.MisShaped.Count - 10} more]");
        AssertUnchanged(net, before);
    }

    [Theory]
    [InlineData("whole_model.pth")]
    [InlineData("oct_resnet20_trained.pth")]
    [InlineData("oct_resnet20_random_legacy.pth")]
    public void An_unreadable_file_fails_with_the_typed_error_and_leaves_the_model_unchanged(string file)
    {
        using var dir = new TempDir();
        string path = PyTorchFiles.Extract(file, dir.Path);
        if (file != "whole_model.pth") // a valid state dict, cut short
            File.WriteAllBytes(path, File.ReadAllBytes(path)[..^4096]);
        var net = Resnet20();
        var before = Snapshot(net);

        FluentActions.Invoking(() => InitialWeights.Load(net, path)).Should().Throw<PyTorchFormatException>()
            .Where(e => e.FileName == path);
        AssertUnchanged(net, before);
    }

    [Fact]
    public void A_file_in_neither_format_fails_naming_it()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir["weights.bin"], "0123456789abcdef");
        FluentActions.Invoking(() => InitialWeights.Load(Resnet20(), dir["weights.bin"])).Should().Throw<InvalidDataException>()
            .WithMessage($"{dir["weights.bin"]}: it is neither safetensors nor a torch.save file*");
    }

    [Fact]
    public void Every_model_s_classifier_head_is_named_HeadName_and_sized_by_the_class_count()
    {
        ImageClassifier[] models =
        [
            new OctCifarResNet(20, numClasses: 7, inChannels: 1),
            new OctResNet(26, numClasses: 7, stem: ResNetStem.Small, inChannels: 1),
            new OctMobileNet(numClasses: 7, widthMultiplier: 0.25),
        ];
        foreach (var model in models)
        {
            var state = model.StateDict();
            state[ImageClassifier.HeadName + ".weight"].Dim(0).Should().Be(7, model.GetType().Name);
            state[ImageClassifier.HeadName + ".bias"].ShapeString.Should().Be("[7]", model.GetType().Name);
        }
    }
}
